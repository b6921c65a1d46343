import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { makeTempDir, spawnService, waitFor, type ServiceProcess, type TempDir } from './harness/index.ts';
import { readSpool, samplesOf } from './faults/rig.ts';

/**
 * The production build (`npm run build`, bin/build.js) and the bin's choice between it and the sources.
 * All on a copy of the package in a temp dir (node_modules linked; collector/ too, as the build makes both
 * programs: test/collector-build.test.ts runs the collector's), so the repository's own dist/, which
 * other tests' bins may be using, is never touched. Nothing else in the suite needs a build.
 */
const REPO = fileURLToPath(new URL('..', import.meta.url));
let pkg: TempDir;
const agentBin = () => join(pkg.path, 'bin', 'hallmonitor-agent.js');
const node = (args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> =>
  spawnSync(process.execPath, args, { cwd: pkg.path, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_OPTIONS: '', NODE_ENV: '', ...env } });
/** A string only the built file has: the bin ran the build when the help shows it. */
const MARK = 'Polls (from dist) a school';

beforeAll(() => {
  pkg = makeTempDir('build');
  for (const part of ['bin', 'agent', 'collector', 'contract', 'package.json', 'package-lock.json']) cpSync(join(REPO, part), join(pkg.path, part), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(pkg.path, 'node_modules'));
});
afterAll(() => pkg?.remove());

describe('npm run build (bin/build.js)', () => {
  it('builds the agent into dist/ as plain JavaScript, with a manifest of the sources it came from', () => {
    const r = node([join(pkg.path, 'bin', 'build.js')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^dist\/agent\.mjs: \d+ files, [\d.]+ MiB, from \d+ source files$/m);
    const manifest = JSON.parse(readFileSync(join(pkg.path, 'dist', 'agent.json'), 'utf8')) as { inputs: string[] };
    expect(manifest.inputs).toContain('agent/cli/main.ts');
    expect(manifest.inputs.every((f) => !f.includes('node_modules'))).toBe(true);
    // Swapped in whole: no staging directory is left beside it.
    expect(readdirSync(pkg.path).filter((f) => f.startsWith('dist'))).toEqual(['dist']);
    const built = join(pkg.path, 'dist', 'agent.mjs');
    writeFileSync(built, readFileSync(built, 'utf8').replace('Polls a school', MARK));
  });

  it('the bin runs the build while it matches the sources, and the version still comes from package.json', () => {
    const help = node([agentBin(), '--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain(MARK);
    expect(help.stderr).toBe('');
    const version = node([agentBin(), '--version']);
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version);
    // HALLMONITOR_NO_DIST=1 runs the sources whatever is built.
    expect(node([agentBin(), '--help'], { HALLMONITOR_NO_DIST: '1' }).stdout).not.toContain(MARK);
  });

  describe('the built agent polls and spools, loading its lazy parts (host metrics, system ping)', () => {
    let agent: ServiceProcess;
    afterAll(() => agent?.stop());

    it('samples ping and the host into its spool while no broker answers', async () => {
      const dataDir = join(pkg.path, 'data');
      const config = join(pkg.path, 'agent.yaml');
      const ping = { intervalSeconds: 1, probes: 1, probeIntervalSeconds: 0.2, timeoutSeconds: 1 };
      writeFileSync(
        config,
        stringify({
          agent: 'build-1',
          site: 'build',
          // Nothing listens on port 1: the agent keeps everything in its spool.
          broker: { url: 'mqtt://127.0.0.1:1', password: 'unused' },
          dataDir,
          batch: { maxDelayMs: 200 },
          host: { enabled: true, intervalSeconds: 5 },
          devices: [{ name: 'self', address: '127.0.0.1', checks: { ping } }],
        }),
      );
      agent = await spawnService({ name: 'built-agent', command: process.execPath, args: [agentBin(), 'run', '-c', config], dir: pkg.path, env: { ...process.env, NODE_OPTIONS: '' } });
      const spool = join(dataDir, 'spool.db');
      const measurements = await waitFor(
        () => {
          if (!existsSync(spool)) return undefined;
          const seen = new Set([...readSpool(spool).batches.values()].flatMap((p) => samplesOf(p).map((s) => s.measurement)));
          return seen.has('ping') && seen.has('agent_host') ? seen : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500, what: 'ping and agent_host samples in the spool', service: agent },
      );
      expect([...measurements]).toEqual(expect.arrayContaining(['ping', 'agent_host']));
      expect(agent.logTail()).not.toMatch(/older than the sources/);
    });
  });

  it('a source edited after the build runs from the sources again, with a note in production saying why', () => {
    appendFileSync(join(pkg.path, 'agent', 'run.ts'), '\n// edited after the build\n');
    const help = node([agentBin(), '--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).not.toContain(MARK);
    expect(help.stdout).toMatch(/Usage: hallmonitor-agent/);
    // In a checkout an old build beside edited sources is normal: no note there.
    expect(help.stderr).toBe('');
    const production = node([agentBin(), '--help'], { NODE_ENV: 'production' });
    expect(production.stdout).not.toContain(MARK);
    expect(production.stderr.trim()).toBe('hallmonitor-agent: dist/agent.mjs is older than the sources; running the sources through tsx (npm run build makes a new one)');
  });
});
