import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInfluxClient } from '../../collector/storage/influx-client.ts';
import { ensureRetention } from '../../collector/storage/retention.ts';
import { capturingLogger } from '../../collector/storage/test-support.ts';
import { makeTempDir, startInflux, type InfluxServer, type TempDir } from '../harness/index.ts';
import { ZONE, jitterLines, jitterSite, writeLines } from './synthetic-month.ts';

const DB = 'hm_all_reports';
/** Five schools with the jitter school's month under their own site tag (each its own outages' offset). */
const SCHOOLS = ['jitter', 'jitter-b', 'jitter-c', 'jitter-d', 'jitter-e'];
const bin = new URL('../../bin/hallmonitor-collector.js', import.meta.url).pathname;
let influx: InfluxServer;
let temp: TempDir;

beforeAll(async () => {
  influx = await startInflux();
  temp = makeTempDir('all-reports');
  await influx.query(`CREATE DATABASE "${DB}"`);
  await ensureRetention(createInfluxClient({ url: influx.url, database: DB }), DB, { rawDays: 3_650, rollupDays: 3_650 }, capturingLogger().log);
  const lines = jitterLines();
  for (const [i, id] of SCHOOLS.entries()) {
    // Every school a little different: the first i*7 minutes of data missing, so its figures are its own.
    const kept = lines.filter((_, n) => n >= i * 7 * jitterSite.devices.length);
    await writeLines(influx, DB, id === 'jitter' ? kept : kept.map((l) => l.replace(',site=jitter', `,site=${id}`)));
  }
  mkdirSync(join(temp.path, 'sites'));
  for (const id of SCHOOLS) {
    writeFileSync(join(temp.path, 'sites', `${id}.yaml`), stringify({ id, name: `${id} Junior`, timezone: ZONE, devices: jitterSite.devices.map((d) => ({ name: d.name, address: d.address, role: d.role, ...(d.parent === undefined ? {} : { parent: d.parent }) })) }));
  }
  writeFileSync(join(temp.path, 'collector.yaml'), stringify({ influx: { url: influx.url, database: DB }, reports: { providerName: 'Northfield IT Services' } }));
}, 120_000);

afterAll(async () => {
  await influx?.stop();
  await temp?.remove();
});

const run = (args: string[]) => spawnAsync(process.execPath, [bin, 'report', '--all', '--month', '2026-10', '--source', 'raw', '-c', join(temp.path, 'collector.yaml'), ...args]);
/** A report's files without the minute it was made at (the one line that may differ between two runs). */
const content = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .filter((f) => !f.endsWith('.pdf'))
      .sort()
      .map((f) => [f, readFileSync(join(dir, f), 'utf8').replace(/Generated \d{1,2} \w+ \d{4} \d\d:\d\d/g, 'Generated …')]),
  );

describe('report --all, several schools at once', () => {
  it('makes the same reports as one at a time, every school its own', async () => {
    const one = await run(['--concurrency', '1', '--out', join(temp.path, 'seq')]);
    const four = await run(['--concurrency', '4', '--out', join(temp.path, 'pool')]);
    expect([one.status, one.stderr, four.status, four.stderr]).toEqual([0, '', 0, '']);
    const seq = content(join(temp.path, 'seq'));
    expect(Object.keys(seq)).toHaveLength(SCHOOLS.length * 2);
    expect(content(join(temp.path, 'pool'))).toEqual(seq);
    expect(readdirSync(join(temp.path, 'pool')).filter((f) => f.endsWith('.pdf')).sort()).toEqual(SCHOOLS.map((s) => `${s}-2026-10.pdf`).sort());
    // Each school's figures from its own series, none from another's.
    const csvs = SCHOOLS.map((s) => seq[`${s}-2026-10.csv`]!.split('\r\n').slice(1).join('\n'));
    expect(new Set(csvs).size).toBe(SCHOOLS.length);
    for (const s of SCHOOLS) expect(seq[`${s}-2026-10.html`]).toContain(`${s} Junior`);
    // The default (reports.concurrency, 4) and a wrong value.
    expect((await run(['--out', join(temp.path, 'default')])).status).toBe(0);
    expect(content(join(temp.path, 'default'))).toEqual(seq);
    const wrong = await run(['--concurrency', '0', '--out', join(temp.path, 'none')]);
    expect([wrong.status, wrong.stderr.trim()]).toEqual([2, '--concurrency: expected a whole number from 1 to 32, got "0"']);
  }, 240_000);

  it('while InfluxDB\'s writes are slow, makes fewer schools at once, says so, and the same reports', async () => {
    // Thresholds low enough that a busy loopback influxd's real writes count as slow (pace/width.ts).
    const config = join(temp.path, 'collector-paced.yaml');
    writeFileSync(config, stringify({ influx: { url: influx.url, database: DB }, reports: { providerName: 'Northfield IT Services', pace: { slowWriteMs: 10, quickWriteMs: 1, everySeconds: 0.1 } } }));
    await influx.query('CREATE DATABASE "hm_busy"');
    const batch = Array.from({ length: 20_000 }, (_, i) => `busy,n=${i % 500} v=${i}i ${1_700_000_000_000_000_000 + i}`).join('\n');
    let writing = true;
    const writer = (async () => {
      while (writing) await influx.write('hm_busy', batch);
    })();
    try {
      const out = join(temp.path, 'paced');
      const r = await spawnAsync(process.execPath, [bin, 'report', '--all', '--month', '2026-10', '--source', 'raw', '-c', config, '--concurrency', '4', '--out', out]);
      expect(r.status).toBe(0);
      const said = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; narrowest?: number; width?: number });
      expect(said.at(-1)).toMatchObject({ msg: "reports: paced by InfluxDB's write time", narrowest: 1, pacing: true });
      expect(said.some((l) => l.width === 1)).toBe(true);
      const seq = join(temp.path, 'seq');
      if (readdirSync(temp.path).includes('seq')) expect(content(out)).toEqual(content(seq));
      expect(readdirSync(out).filter((f) => f.endsWith('.pdf'))).toHaveLength(SCHOOLS.length);
    } finally {
      writing = false;
      await writer;
    }
  }, 240_000);

  it('one school that cannot be written is named; the other schools are still made', async () => {
    const out = join(temp.path, 'one-broken');
    // A folder where jitter-c's PDF should go: its rename fails, as on a full or read-only disk.
    mkdirSync(join(out, 'jitter-c-2026-10.pdf', 'x'), { recursive: true });
    const r = await run(['--out', out]);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^report jitter-c: --out .*: cannot write .*jitter-c-2026-10\.pdf.*: EISDIR/);
    expect(lines[1]).toBe('report --all: 1 of 5 schools failed: jitter-c');
    for (const s of SCHOOLS.filter((x) => x !== 'jitter-c')) {
      for (const ext of ['html', 'pdf', 'csv']) expect(readdirSync(out)).toContain(`${s}-2026-10.${ext}`);
    }
  }, 240_000);
});

function spawnAsync(command: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
      if (err !== null && typeof err.code !== 'number') reject(err);
      else resolve({ status: err === null ? 0 : (err.code as number), stdout, stderr });
    });
  });
}
