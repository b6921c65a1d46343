import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentConfigSchema } from '../agent/config/schema.ts';
import { loadConfigFile } from '../contract/index.ts';
import { repo, run, unitPath } from './deploy-tools.ts';
import { makeTempDir, type TempDir } from './harness/index.ts';

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

  it('--dry-run prints every step and changes nothing', () => {
    for (const [script, args] of [
      [scripts[1]!, ['--config', '-']],
      [scripts[2]!, []],
    ] as const) {
      const result = run('bash', [script, '--dry-run', '--root', root.path, ...args], { input: SNIPPET });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/would run: .*npm ci .*--omit=dev/);
      expect(result.stdout).toMatch(/would run: install -m 0644 \S+ \S+\/etc\/systemd\/system\/hallmonitor-(agent|collector)\.service/);
      expect(result.stdout).toContain('Dry run: nothing was changed.');
      expect(readdirSync(root.path)).toEqual([]);
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
});
