import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError, say } from '../../contract/index.ts';
import { generatePassword, hashPassword } from '../agents/password.ts';
import { AlertStore, alertsDbFile } from '../alerts/store.ts';
import { loadCollectorConfig, loadSites, type ResolvedCollectorConfig } from '../config/load.ts';
import { NOTE_MAX, WebStore, statusUrl, webFiles } from './store.ts';

function withStore<T>(configFile: string, use: (store: WebStore, config: ResolvedCollectorConfig & { web: NonNullable<ResolvedCollectorConfig['web']> }) => T | Promise<T>): Promise<T> {
  const config = loadCollectorConfig(configFile);
  if (config.web === undefined) throw new ConfigError(`${configFile}: web: expected a web section (host, port, publicUrl) to use status pages`);
  const store = new WebStore(webFiles(config));
  return Promise.resolve()
    .then(() => use(store, config as ResolvedCollectorConfig & { web: NonNullable<ResolvedCollectorConfig['web']> }))
    .finally(() => store.close());
}

const USER = /^[A-Za-z0-9._@-]{1,64}$/;

/** `hallmonitor-collector web ...`: school links, staff sign-ins and public notes. They work while the collector runs. */
export function registerWebCommands(program: Command, configOption: readonly [string, string, string], now: () => number = Date.now): void {
  const web = program.command('web').description('school status links, staff sign-ins and public notes for the status pages');
  web
    .command('link')
    .description("print a school's status page link (made on first use); --rotate replaces it, --revoke switches it off")
    .requiredOption('--site <id>', 'the school')
    .option('--rotate', 'a new link; the old one stops working at once')
    .option('--revoke', 'no link: the page answers 404 until --rotate makes a new one')
    .option(...configOption)
    .action((opts: { site: string; rotate?: boolean; revoke?: boolean; config: string }) =>
      withStore(opts.config, (store, config) => {
        if (opts.rotate && opts.revoke) throw new ConfigError('--rotate and --revoke: give one of them');
        if (!loadSites(config.sitesDir).some((s) => s.id === opts.site)) throw new ConfigError(`${config.sitesDir}: no site "${opts.site}"`);
        if (opts.revoke) return say(store.revokeLink(opts.site, now()) ? `status link of ${opts.site} revoked` : `${opts.site} had no link in force`);
        const token = opts.rotate ? store.rotateLink(opts.site, now()) : store.ensureLink(opts.site, now());
        if (token === undefined) throw new ConfigError(`${opts.site}: the status link is revoked; make a new one with --rotate`);
        say(statusUrl(config.web.publicUrl, token));
      }),
    );
  web
    .command('links')
    .description('which schools have a status link in force (never the links themselves)')
    .option(...configOption)
    .action((opts: { config: string }) =>
      withStore(opts.config, (store) => {
        for (const l of store.links()) say(`${l.site}\t${l.revokedAt ? `revoked ${new Date(l.revokedAt).toISOString()}` : `in force since ${new Date(l.createdAt).toISOString()}`}`);
      }),
    );
  const user = web.command('user').description("provider staff who may sign in to the overview");
  user
    .command('add')
    .description('add a user (or set a new password): prints a generated password, or reads one from standard input with --password-stdin')
    .requiredOption('--name <name>', 'user name')
    .option('--password-stdin', 'read the password from standard input (first line)')
    .option(...configOption)
    .action((opts: { name: string; passwordStdin?: boolean; config: string }) =>
      withStore(opts.config, async (store) => {
        if (!USER.test(opts.name)) throw new ConfigError(`--name: expected 1 to 64 letters, digits, ".", "_", "@" or "-", got "${opts.name}"`);
        const password = opts.passwordStdin ? (readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? '') : generatePassword();
        if (password.length < 12) throw new ConfigError('password: expected at least 12 characters');
        store.setUser(opts.name, await hashPassword(password), now());
        say(opts.passwordStdin ? `user ${opts.name} set` : `user ${opts.name}\npassword ${password}`);
      }),
    );
  user
    .command('remove')
    .description('remove a user; their sessions end at their next request')
    .requiredOption('--name <name>', 'user name')
    .option(...configOption)
    .action((opts: { name: string; config: string }) =>
      withStore(opts.config, (store) => {
        if (!store.removeUser(opts.name)) throw new ConfigError(`no user "${opts.name}"`);
        say(`user ${opts.name} removed`);
      }),
    );
  user
    .command('list')
    .description('user names')
    .option(...configOption)
    .action((opts: { config: string }) => withStore(opts.config, (store) => store.users().forEach((u) => say(u))));
  const token = web.command('token').description('bearer tokens for the JSON API (/api/v1: public notes, planned maintenance)');
  token
    .command('add')
    .description('make a token for a script or system (replacing its old one); printed once, stored as a hash')
    .requiredOption('--name <name>', 'who uses it; notes and windows it sets are shown as by this name')
    .option(...configOption)
    .action((opts: { name: string; config: string }) =>
      withStore(opts.config, (store) => {
        if (!USER.test(opts.name)) throw new ConfigError(`--name: expected 1 to 64 letters, digits, ".", "_", "@" or "-", got "${opts.name}"`);
        say(store.addApiToken(opts.name, now()));
      }),
    );
  token
    .command('remove')
    .description('remove a token; it is refused from its next request')
    .requiredOption('--name <name>', 'token name')
    .option(...configOption)
    .action((opts: { name: string; config: string }) =>
      withStore(opts.config, (store) => {
        if (!store.removeApiToken(opts.name)) throw new ConfigError(`no API token named "${opts.name}"`);
        say(`API token ${opts.name} removed`);
      }),
    );
  token
    .command('list')
    .description('token names (never the tokens)')
    .option(...configOption)
    .action((opts: { config: string }) => withStore(opts.config, (store) => store.apiTokens().forEach((t) => say(`${t.name}\tsince ${new Date(t.createdAt).toISOString()}`))));
  web
    .command('note <alert>')
    .description('the short note the school sees on an open incident (empty text clears it)')
    .requiredOption('--text <text>', `at most ${NOTE_MAX} characters`)
    .option('--by <name>', 'who wrote it', 'provider')
    .option(...configOption)
    .action((alert: string, opts: { text: string; by: string; config: string }) =>
      withStore(opts.config, (store, config) => {
        if (opts.text.length > NOTE_MAX) throw new ConfigError(`--text: expected at most ${NOTE_MAX} characters, got ${opts.text.length}`);
        const alerts = new AlertStore(alertsDbFile(config));
        let site: string | undefined;
        try {
          const found = alerts.get(alert);
          site = found !== undefined && found.state !== 'resolved' ? found.site : undefined;
        } finally {
          alerts.close();
        }
        if (site === undefined) throw new ConfigError(`${alert}: no open alert with this id (see: hallmonitor-collector alerts list)`);
        store.setNote({ alertId: alert, site, text: opts.text, by: opts.by, at: now() });
        say(opts.text.trim() === '' ? `note on ${alert} cleared` : `note on ${alert} set; ${site}'s page shows it`);
      }),
    );
}
