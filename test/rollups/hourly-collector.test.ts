import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createLogger } from '../../contract/index.ts';
import { addAgent } from '../../collector/agents/store.ts';
import { loadCollectorConfig } from '../../collector/config/load.ts';
import { closedUntil } from '../../collector/rollups/plan.ts';
import { startCollector, type RunningCollector } from '../../collector/run.ts';
import { createInfluxClient } from '../../collector/storage/influx-client.ts';
import { ensureRetention } from '../../collector/storage/retention.ts';
import { DAILY_INTERNET_MEASUREMENT, DAILY_PING_MEASUREMENT, ROLLUPS, dailyInternetSelect, dailyPingSelect, rollupSelect } from '../../collector/storage/retention-cq.ts';
import { freeTcpPort, makeTempDir, startInflux, waitFor, type InfluxServer, type TempDir } from '../harness/index.ts';

/**
 * The collector's hourly rollups against a real influxd (which runs no CQs here): each school's hour rolled
 * up by itself equals what the old fleet-wide statement gives for the same span, for every measurement and
 * the daily ping; a school with no data gets nothing and no error; the hour still open is not rolled; and
 * hours missed while the collector was stopped are rolled up when it starts again (rollups.json).
 */
const DB = 'hourly_rollups';
const REF = 'hourly_rollups_ref';
const H = 3_600_000;
const SITES = ['north', 'south', 'quiet'];
let influx: InfluxServer;
let dir: TempDir;
let collector: RunningCollector | undefined;

async function start(): Promise<RunningCollector> {
  const c = await startCollector(loadCollectorConfig(join(dir.path, 'collector.yaml')), createLogger('collector', 'silent'), Date.now, { rollupTiming: { checkEveryMs: 200 } });
  await c.storageReady;
  return c;
}

beforeAll(async () => {
  influx = await startInflux();
  dir = makeTempDir('hourly-rollups');
  mkdirSync(join(dir.path, 'sites'));
  for (const site of SITES) writeFileSync(join(dir.path, 'sites', `${site}.yaml`), stringify({ id: site, name: site }));
  const port = await freeTcpPort();
  writeFileSync(
    join(dir.path, 'collector.yaml'),
    stringify({ broker: { host: '127.0.0.1', port }, influx: { url: influx.url, database: DB, flushIntervalMs: 50 }, rollups: { settleMinutes: 0, spreadMinutes: 0 } }),
  );
  await addAgent(join(dir.path, 'agents.yaml'), { id: 'north-1', site: 'north' });
}, 60_000);

afterAll(async () => {
  await collector?.stop();
  await influx?.stop();
  dir?.remove();
});

/** One sample a minute of every field of every rolled-up measurement, two devices, over [from, to). */
function rawLines(site: string, from: number, to: number): string[] {
  const lines: string[] = [];
  let k = site.length;
  for (let t = from; t < to; t += 60_000) {
    for (const device of ['d1', 'd2']) {
      for (const r of ROLLUPS) {
        const fields = new Set([r.countField, ...Object.keys(r.fields)]);
        const values = [...fields].map((f) => `${f}=${((k = (k * 7_919 + 13) % 10_007), k % 3 === 0 && f === 'up' ? 0 : (k % 997) / 7)}`);
        // d1 is the school's internet link: its pings also make the daily internet rollup.
        const extra = r.measurement === 'interface' ? ',interface=wan' : r.measurement === 'ping' && device === 'd1' ? ',role=internet' : '';
        lines.push(`${r.measurement},site=${site},device=${device}${extra} ${values.join(',')} ${t}`);
      }
    }
  }
  return lines;
}

/** Every rollup row in [from, to) of a database, per measurement and series, as text to compare. */
async function rollupRows(db: string, from: number, to: number): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const m of [...ROLLUPS.map((r) => r.measurement), DAILY_PING_MEASUREMENT, DAILY_INTERNET_MEASUREMENT]) {
    const [r] = await influx.query(`SELECT * FROM "${db}"."rollup_5m"."${m}" WHERE time >= ${from}ms AND time < ${to}ms GROUP BY *`);
    out[m] = (r?.series ?? []).map((s) => ({ tags: s.tags, columns: s.columns, values: s.values })).sort((a, b) => JSON.stringify(a.tags).localeCompare(JSON.stringify(b.tags)));
  }
  return out;
}

const rolledUntil = (site: string) => collector?.rollups.rolledUntil(site);

describe('the collector\'s hourly rollups, one school at a time', () => {
  it('roll each school\'s closed hours like the fleet-wide statement did, skip the open hour, and catch up after a stop', async () => {
    // The first start: every school (no record yet) starts at the last closed hour.
    collector = await start();
    const first = closedUntil(Date.now(), 0);
    await waitFor(async () => SITES.every((s) => (rolledUntil(s) ?? 0) >= first), { timeoutMs: 20_000, intervalMs: 100, what: 'the first round' });
    await collector.stop();
    collector = undefined;

    // While stopped: north's and south's spools of hours the file says are not rolled up yet.
    const from = first - 3 * H;
    const span = first - H;
    const lines = [...rawLines('north', from, span), ...rawLines('south', from, span)];
    await influx.write(DB, lines, 'ms');
    // And a sample in the hour still open, which no round may touch.
    const open = Date.now();
    await influx.write(DB, `ping,site=north,device=d1 up=1 ${open}`, 'ms');
    writeFileSync(join(dir.path, 'data', 'rollups.json'), JSON.stringify({ v: 1, rolledUntil: Object.fromEntries(SITES.map((s) => [s, from])) }));

    collector = await start();
    const now = closedUntil(Date.now(), 0);
    await waitFor(async () => SITES.every((s) => (rolledUntil(s) ?? 0) >= now), { timeoutMs: 30_000, intervalMs: 100, what: 'the missed hours rolled up' });

    // The reference: the old CQs' statements, fleet-wide, over the same raw data in a second database.
    await influx.query(`CREATE DATABASE "${REF}"`);
    const ref = createInfluxClient({ url: influx.url, database: REF });
    await ensureRetention(ref, REF, { rawDays: 45, rollupDays: 800 }, createLogger('test', 'silent'));
    await influx.write(REF, lines, 'ms');
    for (const r of ROLLUPS) await influx.query(rollupSelect(REF, r, `time >= ${from}ms AND time < ${span}ms`), REF);
    const day = Math.floor(from / 86_400_000) * 86_400_000;
    await influx.query(dailyPingSelect(REF, `time >= ${day}ms AND time < ${span + 86_400_000}ms`), REF);
    await influx.query(dailyInternetSelect(REF, `time >= ${day}ms AND time < ${span + 86_400_000}ms`), REF);

    const dayEnd = Math.ceil(span / 86_400_000) * 86_400_000 + 86_400_000;
    const mine = await rollupRows(DB, day, dayEnd);
    const theirs = await rollupRows(REF, day, dayEnd);
    expect(mine).toEqual(theirs);
    // Every measurement rolled: 2 schools × 2 devices × 24 windows each; quiet has none.
    for (const r of ROLLUPS) {
      const series = mine[r.measurement] as { tags: Record<string, string>; values: unknown[][] }[];
      expect(series.map((s) => s.tags.site).sort(), r.measurement).toEqual(['north', 'north', 'south', 'south']);
      expect(series.every((s) => s.values.length === 24), r.measurement).toBe(true);
    }
    // Each school's internet link (and only it) has its day in the daily internet rollup.
    const links = mine[DAILY_INTERNET_MEASUREMENT] as { tags: Record<string, string> }[];
    expect(links.map((s) => `${s.tags.site}/${s.tags.device}`).sort()).toEqual(['north/d1', 'south/d1']);
    // The open hour's sample is not rolled up.
    const [openRows] = await influx.query(`SELECT count(samples) FROM "${DB}"."rollup_5m"."ping" WHERE time >= ${now}ms`);
    expect(openRows?.series).toBeUndefined();
  }, 120_000);
});
