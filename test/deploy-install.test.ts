import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../agent/config/load.ts';
import { agentConfigSchema } from '../agent/config/schema.ts';
import { agentConfigSnippet } from '../collector/agents/snippet.ts';
import { loadConfigFile } from '../contract/index.ts';
import { findProgram, repo, run, unitPath } from './deploy-tools.ts';
import { makeTempDir, type TempDir } from './harness/index.ts';
import { makeTestCertificates } from './security/certs.ts';

/** deploy/install/: the install scripts run under --root in a temp dir (the parts that need the target system are skipped there). */
describe('deploy/install', () => {
  const scripts = ['common.sh', 'install-agent.sh', 'install-collector.sh'].map((s) => repo('deploy', 'install', s));
  const SNIPPET = [
    '# hallmonitor agent "north-primary-1" for site "north-primary".', // as `agent add` prints it
    'agent: north-primary-1',
    'site: north-primary',
    'broker:',
    '  url: mqtt://collector.provider.example:1883',
    '  password: not-a-real-secret',
  ].join('\n'); // no final newline, as a paste may end
  let root: TempDir;
  beforeAll(() => {
    root = makeTempDir('install-root');
  });
  afterAll(async () => {
    await root?.remove();
  });
  const installAgent = (args: string[], input?: string) =>
    run('bash', [scripts[1]!, '--root', root.path, ...args], input === undefined ? {} : { input });

  it('scripts parse (bash -n)', () => {
    for (const script of scripts) {
      const result = run('bash', ['-n', script]);
      expect(result.status, `${script}: ${result.stderr}`).toBe(0);
    }
  });

  it('scripts pass shellcheck without a single note', { timeout: 240_000 }, (ctx) => {
    const shellcheck = findProgram('shellcheck');
    if (!shellcheck) {
      console.warn('deploy/install: shellcheck is not installed here (Debian: shellcheck); scripts not checked');
      return ctx.skip('shellcheck not installed');
    }
    // Every script in the folder, the sourced ones too (-x follows them from the installers as well).
    const all = readdirSync(repo('deploy', 'install')).filter((f) => f.endsWith('.sh')).map((f) => repo('deploy', 'install', f));
    expect(all).toEqual(expect.arrayContaining(scripts));
    const result = run(shellcheck, ['-x', ...all], { cwd: repo('deploy', 'install') });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('--dry-run prints every step and changes nothing', () => {
    // The collector in external mode, as --mosquitto requires.
    const EXTERNAL = 'broker:\n  mode: external\n  external:\n    url: mqtt://127.0.0.1:1883\n    password: not-a-real-secret\ninflux:\n  url: http://127.0.0.1:8086\n';
    for (const [script, args, input] of [
      [scripts[1]!, ['--config', '-'], SNIPPET],
      [scripts[2]!, ['--influxdb', '--mosquitto', '--config', '-'], EXTERNAL],
    ] as const) {
      const result = run('bash', [script, '--dry-run', '--root', root.path, ...args], { input });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/would run: .*npm ci .*--omit=dev/);
      expect(result.stdout).toMatch(/would run: install -m 0644 \S+ \S+\/etc\/systemd\/system\/hallmonitor-(agent|collector)\.service/);
      expect(result.stdout).toContain('Dry run: nothing was changed.');
      expect(readdirSync(root.path)).toEqual([]);
      if (script === scripts[2]) {
        expect(result.stdout).toMatch(/would run: install -m 0644 \S+\/deploy\/influxdb\/influxdb\.conf \S+\/etc\/influxdb\/influxdb\.conf/);
        expect(result.stdout).toMatch(/would run: install -m 0644 \S+\/deploy\/mosquitto\/hallmonitor\.conf \S+\/etc\/mosquitto\/conf\.d\/hallmonitor\.conf/);
      }
    }
  });

  it('installs under --root from a pasted `agent add` snippet: package, config 0640 with dataDir, unit; again: no change', () => {
    const first = installAgent(['--no-npm', '--config', '-'], SNIPPET);
    expect(first.status, first.stdout + first.stderr).toBe(0);

    const prefix = join(root.path, 'opt', 'hallmonitor');
    expect(existsSync(join(prefix, 'bin', 'hallmonitor-agent.js'))).toBe(true);
    expect(existsSync(join(prefix, 'package-lock.json'))).toBe(true);
    for (const devOnly of ['.git', 'node_modules', 'test', 'bench']) expect(existsSync(join(prefix, devOnly)), devOnly).toBe(false);

    const config = join(root.path, 'etc', 'hallmonitor', 'agent.yaml');
    expect(statSync(config).mode & 0o777).toBe(0o640);
    expect(statSync(join(root.path, 'etc', 'hallmonitor')).mode & 0o777).toBe(0o750);
    const loaded = loadConfigFile(config, agentConfigSchema);
    expect(loaded).toMatchObject({ agent: 'north-primary-1', site: 'north-primary', dataDir: '/var/lib/hallmonitor-agent' });
    const unit = join(root.path, 'etc', 'systemd', 'system', 'hallmonitor-agent.service');
    expect(readFileSync(unit, 'utf8')).toBe(readFileSync(unitPath('hallmonitor-agent.service'), 'utf8'));

    const before = readFileSync(config, 'utf8');
    const again = installAgent(['--no-npm']);
    expect(again.status, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('keeping the installed /etc/hallmonitor/agent.yaml');
    expect(again.stdout).toMatch(/hallmonitor-agent\.service unchanged/);
    expect(readFileSync(config, 'utf8')).toBe(before);
  });

  it('refuses to start without a config to install, naming what to give', () => {
    const empty = makeTempDir('install-empty');
    try {
      const result = run('bash', [scripts[1]!, '--root', empty.path, '--no-npm']);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('--config');
      expect(readdirSync(empty.path)).toEqual([]);
    } finally {
      void empty.remove();
    }
  });

  describe('the collector\'s CA pinned by `agent add --ca` (issue 11 item 10)', () => {
    let certs: ReturnType<typeof makeTestCertificates>;
    let certDir: TempDir;
    beforeAll(() => {
      certDir = makeTempDir('install-ca');
      certs = makeTestCertificates(certDir.path);
    });
    afterAll(async () => {
      await certDir?.remove();
    });
    const pem = () => readFileSync(certs.ca, 'utf8');
    /** The snippet exactly as `agent add --broker-url mqtts://... --ca ca.pem` prints it (the CLI calls this). */
    const snippet = (caPem: string | undefined) =>
      agentConfigSnippet({ id: 'west-1', site: 'west', password: 'not-a-real-secret', brokerUrl: 'mqtts://collector.provider.example:8883', caPem });
    const install = (dir: string, args: string[], input?: string) =>
      run('bash', [scripts[1]!, '--root', dir, '--no-npm', ...args], input === undefined ? {} : { input });
    const withRoot = (test: (dir: string) => void) => {
      const temp = makeTempDir('install-ca-root');
      try {
        test(temp.path);
      } finally {
        void temp.remove();
      }
    };

    it('saves the PEM from the pasted snippet where broker.ca says, 0644, and the installed agent.yaml loads it', () => {
      withRoot((dir) => {
        const result = install(dir, ['--config', '-'], snippet(pem()));
        expect(result.status, result.stdout + result.stderr).toBe(0);
        expect(result.stderr).not.toMatch(/in clear/);
        const saved = join(dir, 'etc', 'hallmonitor', 'hallmonitor-ca.pem');
        expect(readFileSync(saved, 'utf8')).toBe(pem());
        expect(statSync(saved).mode & 0o777).toBe(0o644);
        const config = loadAgentConfig(join(dir, 'etc', 'hallmonitor', 'agent.yaml'));
        expect(config.broker).toMatchObject({ url: 'mqtts://collector.provider.example:8883', ca: saved, caPem: pem() });

        const again = install(dir, ['--config', '-'], snippet(pem()));
        expect(again.status, again.stdout + again.stderr).toBe(0);
        expect(again.stdout).toContain('hallmonitor-ca.pem unchanged');
      });
    });

    it('a new CA replaces the old one, which is kept as .previous', () => {
      withRoot((dir) => {
        expect(install(dir, ['--config', '-'], snippet(pem())).status).toBe(0);
        const other = readFileSync(certs.wrongCa, 'utf8');
        const result = install(dir, ['--config', '-'], snippet(other));
        expect(result.status, result.stdout + result.stderr).toBe(0);
        expect(readFileSync(join(dir, 'etc', 'hallmonitor', 'hallmonitor-ca.pem'), 'utf8')).toBe(other);
        expect(readFileSync(join(dir, 'etc', 'hallmonitor', 'hallmonitor-ca.pem.previous'), 'utf8')).toBe(pem());
      });
    });

    it('takes the CA from --ca FILE when the config only names it', () => {
      withRoot((dir) => {
        const bare = snippet(pem()).split('\n').filter((l) => !l.startsWith('# ')).join('\n');
        expect(bare).toContain('ca: hallmonitor-ca.pem');
        const refused = install(dir, ['--config', '-'], bare);
        expect(refused.status).not.toBe(0);
        expect(refused.stderr).toMatch(/broker\.ca names \/etc\/hallmonitor\/hallmonitor-ca\.pem.*--ca FILE/);
        expect(readdirSync(dir)).toEqual([]);
        const given = install(dir, ['--config', '-', '--ca', certs.ca], bare);
        expect(given.status, given.stdout + given.stderr).toBe(0);
        expect(readFileSync(join(dir, 'etc', 'hallmonitor', 'hallmonitor-ca.pem'), 'utf8')).toBe(pem());
      });
    });

    it('refuses a damaged certificate (a changed character, a lost line, a foreign line) and changes nothing', () => {
      const lines = pem().trimEnd().split('\n');
      const middle = Math.floor(lines.length / 2);
      const damaged = [
        lines.map((l, i) => (i === middle ? `${l.slice(0, 5)}!${l.slice(6)}` : l)).join('\n'),
        lines.filter((_, i) => i !== middle).join('\n'),
        [...lines.slice(0, middle), 'ca: /etc/shadow', ...lines.slice(middle)].join('\n'),
      ];
      for (const bad of damaged) {
        withRoot((dir) => {
          const text = snippet(pem()).replace(pem().trimEnd().split('\n').map((l) => `# ${l}`).join('\n'), bad.split('\n').map((l) => `# ${l}`).join('\n'));
          expect(text).not.toBe(snippet(pem()));
          const result = install(dir, ['--config', '-'], text);
          expect(result.status, bad).not.toBe(0);
          expect(result.stderr).toMatch(/CA certificate is damaged/);
          expect(readdirSync(dir)).toEqual([]);
        });
      }
    });

    it('writes the CA only beside agent.yaml, under a .pem/.crt name: a config aiming it elsewhere is refused', () => {
      for (const name of ['../../etc/cron.d/x.pem', '/etc/shadow', 'agent.yaml', '.pem', 'sub/ca.pem']) {
        withRoot((dir) => {
          const result = install(dir, ['--config', '-'], snippet(pem()).replace('ca: hallmonitor-ca.pem', `ca: ${name}`));
          expect(result.status, name).not.toBe(0);
          expect(result.stderr).toMatch(/broker\.ca: /);
          expect(readdirSync(dir)).toEqual([]);
        });
      }
    });

    it('quiet side: no CA in the snippet and none named, no CA file; a plain mqtt:// URL to another host is warned about', () => {
      withRoot((dir) => {
        const result = install(dir, ['--config', '-'], snippet(undefined));
        expect(result.status, result.stdout + result.stderr).toBe(0);
        expect(existsSync(join(dir, 'etc', 'hallmonitor', 'hallmonitor-ca.pem'))).toBe(false);
        expect(result.stdout).toMatch(/no broker\.ca: the agent trusts the system's CA store/);
        expect(result.stderr).toBe('');
      });
      withRoot((dir) => {
        const result = install(dir, ['--config', '-'], SNIPPET);
        expect(result.status).toBe(0);
        expect(result.stderr).toMatch(/broker\.url is mqtt:\/\/collector\.provider\.example:1883: the agent's password would cross the network in clear/);
      });
    });
  });
});
