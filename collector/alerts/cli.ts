import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { ConfigError, say } from '../../contract/index.ts';
import { loadCollectorConfig, loadSites, type ResolvedCollectorConfig } from '../config/load.ts';
import { durationMs, durationSchema } from './config.ts';
import { effectiveRules, formatEffectiveRules } from './effective-rules.ts';
import { RULE_IDS } from './rules/index.ts';
import { AlertStore, alertsDbFile } from './store.ts';

const when = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toFormat('yyyy-LL-dd HH:mm');

function withStore<T>(configFile: string, use: (store: AlertStore, config: ResolvedCollectorConfig) => T): T {
  const config = loadCollectorConfig(configFile);
  const file = alertsDbFile(config);
  mkdirSync(dirname(file), { recursive: true });
  const store = new AlertStore(file);
  try {
    return use(store, config);
  } finally {
    store.close();
  }
}

/** `hallmonitor-collector alerts ...`: list, acknowledge, silence. They work on the file while the collector runs. */
export function registerAlertCommands(program: Command, configOption: readonly [string, string, string], now: () => number = Date.now): void {
  const alerts = program.command('alerts').description('list, acknowledge and silence alerts');
  alerts
    .command('list')
    .description('open alerts (with --all: every alert of the last --since)')
    .option('--all', 'resolved ones too')
    .option('--since <duration>', 'with --all: how far back, e.g. 7d', '7d')
    .option(...configOption)
    .action((opts: { all?: boolean; since: string; config: string }) =>
      withStore(opts.config, (store, config) => {
        const since = durationSchema.safeParse(opts.since);
        if (!since.success) throw new ConfigError(`--since: expected a duration such as "7d", got "${opts.since}"`);
        const list = store.list({ all: opts.all === true, from: now() - durationMs(since.data) });
        if (list.length === 0) return say(opts.all ? 'no alerts' : 'no open alerts');
        // Names come from the API and the web form (`by`), titles from device text: a control character
        // (an escape sequence, a tab or newline faking a column or a row) is shown as \u{..}, never sent to the terminal.
        const shown = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
        for (const a of list) {
          const state = a.state === 'firing' && a.muted ? `firing (${shown(a.muted)})` : a.state;
          const ack = a.ackedBy ? `acknowledged by ${shown(a.ackedBy)} ${when(a.ackedAt!, config.alerts.timezone)}` : '';
          const maintenance = a.maintenance ? `in maintenance "${shown(a.maintenance)}"` : '';
          say([shown(a.id), state, a.severity, when(a.since, config.alerts.timezone), shown(a.title), ack, maintenance].filter(Boolean).join('\t'));
        }
      }),
    );
  alerts
    .command('rules')
    .description('the rule set in force for a site, with where each value came from (default, role default, provider, provider role, site, device)')
    .requiredOption('--site <id>', 'site')
    .option(...configOption)
    .action((opts: { site: string; config: string }) => {
      const config = loadCollectorConfig(opts.config);
      const site = loadSites(config.sitesDir).find((s) => s.id === opts.site);
      if (site === undefined) throw new ConfigError(`--site: no site "${opts.site}" in ${config.sitesDir}`);
      for (const line of formatEffectiveRules(effectiveRules(config.alerts, site))) say(line);
    });
  alerts
    .command('ack <id>')
    .description('acknowledge an alert: no more repeats or escalation until it is resolved')
    .requiredOption('--by <name>', 'who acknowledges')
    .option(...configOption)
    .action((id: string, opts: { by: string; config: string }) =>
      withStore(opts.config, (store) => {
        const result = store.acknowledge(id, opts.by, now(), 'cli');
        const text = {
          acknowledged: `alert ${id} acknowledged by ${opts.by}`,
          already: `alert ${id} was already acknowledged`,
          resolved: `alert ${id} is resolved; nothing to acknowledge`,
          unknown: `no alert ${id} (see: alerts list)`,
        }[result];
        if (result === 'unknown') throw new ConfigError(text);
        say(text);
      }),
    );
  alerts
    .command('silence')
    .description('mute matching alerts for a while (they are still recorded, and resolved messages still go)')
    .requiredOption('--site <id>', 'site')
    .option('--device <name>', 'only this device')
    .option('--rule <rule>', `only this rule (${RULE_IDS.join(', ')})`)
    .requiredOption('--for <duration>', 'how long, e.g. 2h')
    .requiredOption('--by <name>', 'who silences')
    .option('--comment <text>', 'why')
    .option(...configOption)
    .action((opts: { site: string; device?: string; rule?: string; for: string; by: string; comment?: string; config: string }) =>
      withStore(opts.config, (store, config) => {
        const site = loadSites(config.sitesDir).find((s) => s.id === opts.site);
        if (site === undefined) throw new ConfigError(`--site: no site "${opts.site}" in ${config.sitesDir}`);
        if (opts.device !== undefined && !site.devices.some((d) => d.name === opts.device)) throw new ConfigError(`--device: no device "${opts.device}" in site "${opts.site}"`);
        if (opts.rule !== undefined && !(RULE_IDS as readonly string[]).includes(opts.rule)) throw new ConfigError(`--rule: expected one of ${RULE_IDS.join(', ')}, got "${opts.rule}"`);
        const length = durationSchema.safeParse(opts.for);
        if (!length.success) throw new ConfigError(`--for: expected a duration such as "2h", got "${opts.for}"`);
        const start = now();
        const s = store.addSilence(
          {
            site: opts.site,
            ...(opts.device !== undefined ? { device: opts.device } : {}),
            ...(opts.rule !== undefined ? { rule: opts.rule } : {}),
            startsAt: start,
            endsAt: start + durationMs(length.data),
            by: opts.by,
            ...(opts.comment !== undefined ? { comment: opts.comment } : {}),
          },
          start,
        );
        say(`silence ${s.id} until ${when(s.endsAt, site.timezone)} (${site.timezone})`);
      }),
    );
  alerts
    .command('silences')
    .description('silences in force or to come')
    .option(...configOption)
    .action((opts: { config: string }) =>
      withStore(opts.config, (store, config) => {
        const list = store.silences(now());
        if (list.length === 0) return say('no silences');
        for (const s of list) {
          const what = [s.site, s.device, s.rule].filter(Boolean).join(' ');
          say([String(s.id), what, `until ${when(s.endsAt, config.alerts.timezone)}`, `by ${s.by}`, s.comment ?? ''].filter(Boolean).join('\t'));
        }
      }),
    );
  alerts
    .command('unsilence <id>')
    .description('end a silence now')
    .option(...configOption)
    .action((id: string, opts: { config: string }) =>
      withStore(opts.config, (store) => {
        if (!store.endSilence(Number(id), now())) throw new ConfigError(`no silence ${id} in force`);
        say(`silence ${id} ended`);
      }),
    );
}
