import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createDeadHost, freeTcpPort, makeTempDir, spawnService, startInflux, waitFor, type DeadHost, type InfluxServer, type ServiceProcess, type TempDir } from './harness/index.ts';

/**
 * The collector's production build (`npm run build`, bin/build.js, dist/collector.mjs) is the same program as
 * its sources: built in a copy of the package in a temp dir (node_modules linked, so the repository's own
 * dist/ is never touched), then run as a provider runs it against the real peers: InfluxDB, the built agent
 * of the same build pinging a router that answers and a server that never does (a network namespace), the
 * status page over HTTP, pdfkit and fontkit for the PDF (kept outside the bundle: they find
 * their font data relative to their own files). A source edited after the build runs from the sources again.
 */
const REPO = fileURLToPath(new URL('..', import.meta.url));
const SITE = 'build-school';
const SCHOOL = 'Build Test School';
let pkg: TempDir;
const bin = (program: 'agent' | 'collector') => join(pkg.path, 'bin', `hallmonitor-${program}.js`);
const node = (args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> =>
  spawnSync(process.execPath, args, { cwd: pkg.path, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_OPTIONS: '', NODE_ENV: '', ...env } });
/** Only the built file says this: the bin ran the build when the help shows it. */
const MARK = 'Receives (from dist) samples';
/** The bins' choice as bin/dist.js makes it, asked in the copy. */
const fresh = (program: string): { file?: string; reason?: string } =>
  JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', `import { freshBuild } from './bin/dist.js'; process.stdout.write(JSON.stringify(freshBuild('${program}')));`], { cwd: pkg.path, encoding: 'utf8' }));

beforeAll(() => {
  pkg = makeTempDir('collector-build');
  for (const part of ['bin', 'agent', 'collector', 'contract', 'package.json', 'package-lock.json']) cpSync(join(REPO, part), join(pkg.path, part), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(pkg.path, 'node_modules'));
});
afterAll(() => pkg?.remove());

describe('the collector built by npm run build', () => {
  it('builds both programs into dist/, each with a manifest of its own sources', () => {
    const r = node([join(pkg.path, 'bin', 'build.js')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^dist\/agent\.mjs: \d+ files, [\d.]+ MiB, from \d+ source files$/m);
    expect(r.stdout).toMatch(/^dist\/collector\.mjs: \d+ files, [\d.]+ MiB, from \d+ source files$/m);
    const manifest = JSON.parse(readFileSync(join(pkg.path, 'dist', 'collector.json'), 'utf8')) as { inputs: string[] };
    // The lazily imported run.ts (the whole service) is in the build, as a chunk of its own.
    expect(manifest.inputs).toEqual(expect.arrayContaining(['collector/cli/main.ts', 'collector/run.ts', 'contract/version.ts']));
    expect(manifest.inputs.filter((f) => f.includes('node_modules') || f.startsWith('agent/'))).toEqual([]);
    // pdfkit stays a package of node_modules: none of its files is in the bundle.
    const built = readdirSync(join(pkg.path, 'dist')).filter((f) => f.startsWith('collector') && f.endsWith('.mjs'));
    for (const f of built) expect(readFileSync(join(pkg.path, 'dist', f), 'utf8')).not.toMatch(/registerStdFontLoaders/);
    const entry = join(pkg.path, 'dist', 'collector.mjs');
    expect(readFileSync(entry, 'utf8')).toContain('Receives samples');
    writeFileSync(entry, readFileSync(entry, 'utf8').replace('Receives samples', MARK));
    expect(fresh('collector').file).toBe(entry);
  });

  it('the bin runs the build: --help, --version from package.json, a bad config refused with one line and exit 2', () => {
    const help = node([bin('collector'), '--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain(MARK);
    expect(help.stderr).toBe('');
    expect(node([bin('collector'), '--version']).stdout.trim()).toBe((JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version);
    const config = join(pkg.path, 'bad.yaml');
    writeFileSync(config, 'influx:\n  url: http://127.0.0.1:8086\nbroker:\n  port: many\n');
    const bad = node([bin('collector'), 'check-config', '-c', config]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^.*bad\.yaml: broker\.port: /);
    expect(node([bin('collector'), 'check-config', '-c', join(pkg.path, 'missing.yaml')]).status).toBe(2);
    // HALLMONITOR_NO_DIST=1 runs the sources whatever is built.
    expect(node([bin('collector'), '--help'], { HALLMONITOR_NO_DIST: '1' }).stdout).not.toContain(MARK);
  });

  describe('runs as the service: samples stored, an alert fired, the status page, the monthly report as PDF', () => {
    let influx: InfluxServer;
    let dead: DeadHost;
    let collector: ServiceProcess;
    let agent: ServiceProcess;
    let config: string;
    let webBase: string;
    beforeAll(async () => {
      [influx, dead] = await Promise.all([startInflux(), createDeadHost()]);
      const [brokerPort, webPort] = [await freeTcpPort(), await freeTcpPort()];
      webBase = `http://127.0.0.1:${webPort}`;
      mkdirSync(join(pkg.path, 'sites'));
      const ping = { intervalSeconds: 1, probes: 1, timeoutSeconds: 0.5 };
      writeFileSync(
        join(pkg.path, 'sites', `${SITE}.yaml`),
        stringify({
          id: SITE,
          name: SCHOOL,
          devices: [
            { name: 'router', address: '127.0.0.2', role: 'internet', checks: { ping } },
            { name: 'nas', address: dead.address, role: 'server', parent: 'router', checks: { ping } },
          ],
        }),
      );
      config = join(pkg.path, 'collector.yaml');
      writeFileSync(
        config,
        stringify({
          broker: { host: '127.0.0.1', port: brokerPort },
          influx: { url: influx.url, database: 'hallmonitor_build', flushIntervalMs: 200 },
          dataDir: 'data',
          logLevel: 'info',
          alerts: { evaluateEvery: '500ms', rules: { 'device-down': { for: '1s' } } },
          web: { host: '127.0.0.1', port: webPort, publicUrl: webBase },
        }),
      );
      collector = await spawnService({ name: 'built-collector', command: process.execPath, args: [bin('collector'), 'run', '-c', config], dir: pkg.path, env: { ...process.env, NODE_OPTIONS: '', NODE_ENV: 'production' } });
      await waitFor(() => /"collector listening"/.test(collector.logTail(400)) && /"InfluxDB ready"/.test(collector.logTail(400)), { timeoutMs: 30_000, intervalMs: 100, what: 'the built collector to listen', service: collector });
      // The built CLI makes the agent's credentials and its agent.yaml, as an installer would.
      const added = node([bin('collector'), 'agent', 'add', '--site', SITE, '--broker-url', `mqtt://127.0.0.1:${brokerPort}`, '-c', config]);
      expect(added.status, added.stderr).toBe(0);
      const agentConfig = join(pkg.path, 'agent.yaml');
      writeFileSync(agentConfig, `${added.stdout}\ndataDir: agent-data\nbatch:\n  maxDelayMs: 200\n`);
      agent = await spawnService({ name: 'built-agent', command: process.execPath, args: [bin('agent'), 'run', '-c', agentConfig], dir: pkg.path, env: { ...process.env, NODE_OPTIONS: '', NODE_ENV: 'production' } });
    }, 60_000);
    afterAll(async () => {
      await agent?.stop();
      await collector?.stop();
      await Promise.allSettled([influx?.stop(), dead?.remove()]);
    });

    it('stores the agent\'s ping samples in InfluxDB', async () => {
      const up = await waitFor(
        async () => {
          const [result] = await influx.query(`SELECT last(up) FROM ping WHERE site = '${SITE}' GROUP BY device`, 'hallmonitor_build').catch(() => []);
          const rows = (result?.series ?? []).map((s) => [s.tags?.['device'], s.values[0]?.[1]]);
          return rows.length === 2 ? Object.fromEntries(rows) : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250, what: 'ping samples of both devices in InfluxDB', service: collector },
      );
      expect(up).toEqual({ router: 1, nas: 0 });
    });

    it('fires device-down for the server that never answers, and only for it', async () => {
      const list = await waitFor(
        () => {
          const r = node([bin('collector'), 'alerts', 'list', '-c', config]);
          return r.stdout.includes('\tfiring\t') ? r : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500, what: 'a firing alert in `alerts list`', service: collector },
      );
      expect(list.status, list.stderr).toBe(0);
      const firing = list.stdout.trim().split('\n').filter((l) => l.includes('\tfiring\t'));
      expect(firing).toHaveLength(1);
      expect(firing[0]).toMatch(new RegExp(`\\t${SCHOOL}: nas is down$`));
    });

    it('answers the school\'s status page from the link the built CLI prints', async () => {
      const link = node([bin('collector'), 'web', 'link', '--site', SITE, '-c', config]);
      expect(link.status, link.stderr).toBe(0);
      const url = link.stdout.trim();
      expect(url.startsWith(`${webBase}/s/`)).toBe(true);
      const page = await waitFor(
        async () => {
          const res = await fetch(url);
          const text = await res.text();
          return res.status === 200 && text.includes('nas') ? text : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 250, what: 'the status page listing the devices', service: collector },
      );
      expect(page).toContain(SCHOOL);
      expect((await fetch(`${webBase}/assets/app.css`)).status).toBe(200);
      expect((await fetch(`${webBase}/s/not-a-token`)).status).toBe(404);
    });

    it('writes this month\'s report as HTML, CSV and a PDF with its fonts embedded', () => {
      const out = join(pkg.path, 'reports');
      mkdirSync(out);
      const month = new Date().toISOString().slice(0, 7);
      const r = node([bin('collector'), 'report', '--site', SITE, '--month', month, '--out', out, '-c', config]);
      expect(r.status, r.stderr).toBe(0);
      const files = readdirSync(out).sort();
      expect(files.map((f) => f.replace(/^.*\./, ''))).toEqual(expect.arrayContaining(['csv', 'html', 'pdf']));
      const pdf = join(out, files.find((f) => f.endsWith('.pdf'))!);
      expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
      // poppler reads it back: the school's name as text, in the TrueType font when Debian's DejaVu is there.
      expect(execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' })).toContain(SCHOOL);
      const fonts = execFileSync('pdffonts', [pdf], { encoding: 'utf8' });
      if (existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf')) expect(fonts).toMatch(/DejaVuSans/);
      else expect(fonts).toMatch(/Helvetica/);
      expect(collector.logTail(400)).not.toMatch(/older than the sources/);
      expect(agent.logTail(400)).not.toMatch(/older than the sources/);
    });
  });

  it('a collector source edited after the build runs from the sources again; the agent\'s build stays in use', () => {
    appendFileSync(join(pkg.path, 'collector', 'run.ts'), '\n// edited after the build\n');
    expect(fresh('collector')).toEqual({ reason: 'dist/collector.mjs is older than the sources' });
    expect(fresh('agent').file).toBe(join(pkg.path, 'dist', 'agent.mjs'));
    const help = node([bin('collector'), '--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).not.toContain(MARK);
    expect(help.stdout).toMatch(/Usage: hallmonitor-collector/);
    expect(help.stderr).toBe('');
    const production = node([bin('collector'), '--help'], { NODE_ENV: 'production' });
    expect(production.stdout).not.toContain(MARK);
    expect(production.stderr.trim()).toBe('hallmonitor-collector: dist/collector.mjs is older than the sources; running the sources through tsx (npm run build makes a new one)');
  });
});
