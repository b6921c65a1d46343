import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../contract/index.ts';
import { createInfluxClient } from '../storage/influx-client.ts';
import { ensureRetention } from '../storage/retention.ts';
import { makeTempDir, startInflux, type InfluxServer, type TempDir } from '../../test/harness/index.ts';
import { fillDailyInternet } from './daily-internet-fill.ts';

/**
 * An upgraded installation's earlier days in the daily internet rollup, against a real influxd: filled from
 * the 5-minute rollups once, for internet links only, with the values the hourly rounds would have written;
 * nothing on a fresh install or a later start.
 */
const DAY = 86_400_000;
const WINDOW = 300_000;
let influx: InfluxServer;
let dir: TempDir;
let n = 0;

beforeAll(async () => {
  influx = await startInflux();
  dir = makeTempDir('daily-internet-fill');
}, 60_000);

afterAll(async () => {
  await influx?.stop();
  dir?.remove();
});

async function database(): Promise<{ db: string; client: ReturnType<typeof createInfluxClient>; marker: string }> {
  const db = `fill_${process.pid}_${++n}`;
  await influx.query(`CREATE DATABASE "${db}"`);
  const client = createInfluxClient({ url: influx.url, database: db });
  await ensureRetention(client, db, { rawDays: 45, rollupDays: 800 }, createLogger('test', 'silent'));
  return { db, client, marker: join(dir.path, `${db}.json`) };
}

/** 5-minute ping rollup rows over [from, to) for a school's internet link and a switch; loss varies by window. */
async function rollups(db: string, site: string, from: number, to: number): Promise<Map<number, { sum: number; windows: number }>> {
  const lines: string[] = [];
  const byDay = new Map<number, { sum: number; windows: number }>();
  for (let t = from, k = 0; t < to; t += WINDOW, k++) {
    const loss = (k * 37) % 11;
    lines.push(`ping,site=${site},device=router,role=internet mean_up=1,mean_loss_pct=${loss},max_loss_pct=${loss * 2},mean_rtt_avg_ms=9,mean_jitter_ms=1,max_rtt_max_ms=${20 + k % 5},samples=5i ${t}`);
    lines.push(`ping,site=${site},device=switch mean_up=1,mean_loss_pct=50,max_loss_pct=50,samples=5i ${t}`);
    const day = Math.floor(t / DAY) * DAY;
    const d = byDay.get(day) ?? { sum: 0, windows: 0 };
    byDay.set(day, { sum: d.sum + loss, windows: d.windows + 1 });
  }
  for (let i = 0; i < lines.length; i += 5_000) await fetch(`${influx.url}/write?db=${db}&rp=rollup_5m&precision=ms`, { method: 'POST', body: lines.slice(i, i + 5_000).join('\n') });
  return byDay;
}

async function daily(db: string): Promise<Map<string, { time: number; sum: number; windows: number }[]>> {
  const [r] = await influx.query(`SELECT "sum_mean_loss_pct", "windows_loss_pct" FROM "rollup_5m"."ping_internet_1d" GROUP BY "site", "device"`, db);
  return new Map((r?.series ?? []).map((s) => [`${s.tags?.['site']}/${s.tags?.['device']}`, s.values.map((v) => ({ time: Date.parse(String(v[0])), sum: Number(v[1]), windows: Number(v[2]) }))]));
}

describe('filling the daily internet rollup for days before it existed', () => {
  it('an upgrade: every day of every internet link, as the hourly rounds compute it; the switch left out; once only', async () => {
    const { db, client, marker } = await database();
    const now = Date.now();
    const from = Math.floor((now - 4 * DAY) / WINDOW) * WINDOW + 7 * WINDOW;
    const to = Math.floor((now - 3_600_000) / WINDOW) * WINDOW;
    const north = await rollups(db, 'north', from, to);
    await rollups(db, 'south', from + DAY, to);
    const days = await fillDailyInternet(client, db, marker, createLogger('test', 'silent'), now);
    expect(days).toBeGreaterThanOrEqual(4);
    const rows = await daily(db);
    expect([...rows.keys()].sort()).toEqual(['north/router', 'south/router']);
    expect(rows.get('north/router')).toEqual([...north].map(([time, d]) => ({ time, sum: d.sum, windows: d.windows })));
    expect(existsSync(marker)).toBe(true);
    expect((statSync(marker).mode & 0o777).toString(8)).toBe('600');
    expect(JSON.parse(readFileSync(marker, 'utf8'))).toMatchObject({ v: 1, days });
    // A later start asks nothing and changes nothing, even with a day's rows gone.
    await influx.query(`DROP SERIES FROM "ping_internet_1d" WHERE "site" = 'south'`, db);
    expect(await fillDailyInternet(client, db, marker, createLogger('test', 'silent'), now)).toBe(0);
    expect([...(await daily(db)).keys()]).toEqual(['north/router']);
  }, 60_000);

  it('days the hourly rounds made since the upgrade keep their values; the days before them are filled', async () => {
    const { db, client, marker } = await database();
    // Noon yesterday (UTC), not the clock: in the first hour of a day "today" had no 5-minute rollups yet, so
    // there was no row of today's to keep and the test failed from 00:00 to 01:00.
    const now = Math.floor(Date.now() / DAY) * DAY - DAY / 2;
    const from = Math.floor((now - 3 * DAY) / DAY) * DAY;
    const to = Math.floor((now - 3_600_000) / WINDOW) * WINDOW;
    const north = await rollups(db, 'north', from, to);
    // Today's row, as the first hourly round after the upgrade wrote it.
    const today = Math.floor(now / DAY) * DAY;
    await influx.query(`SELECT sum("mean_loss_pct") AS "sum_mean_loss_pct", count("mean_loss_pct") AS "windows_loss_pct" INTO "rollup_5m"."ping_internet_1d" FROM "rollup_5m"."ping" WHERE "role" = 'internet' AND time >= ${today}ms GROUP BY time(1d), "site", "device"`, db);
    const before = (await daily(db)).get('north/router');
    await fillDailyInternet(client, db, marker, createLogger('test', 'silent'), now);
    const after = (await daily(db)).get('north/router')!;
    expect(after.at(-1)).toEqual(before?.at(-1));
    expect(after).toEqual([...north].map(([time, d]) => ({ time, sum: d.sum, windows: d.windows })));
  }, 60_000);

  it('a fresh install (no 5-minute rollups): nothing to fill, and later starts do not ask', async () => {
    const { db, client, marker } = await database();
    expect(await fillDailyInternet(client, db, marker, createLogger('test', 'silent'))).toBe(0);
    expect(existsSync(marker)).toBe(true);
    expect((await daily(db)).size).toBe(0);
  }, 60_000);
});
