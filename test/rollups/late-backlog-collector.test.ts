import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WIRE_VERSION, samplesTopic, type SamplesBatch } from '../../contract/index.ts';
import type { RunningCollector } from '../../collector/run.ts';
import { waitFor, type InfluxServer } from '../harness/index.ts';
import { startSchoolsCollector, type SchoolsCollector } from '../support/schools-collector.ts';

/**
 * A school's spool replayed three hours late, into hours the hourly scheduler has already rolled up for it
 * (a school starts at the last closed hour): the collector rolls up that school's late span again once its
 * replay is quiet (collector/rollups/late-backlog.ts), limited to the school. A live school's fresh data,
 * in the hour still open, gets nothing until its hour closes.
 */
const DB = 'late_backlog';
const WINDOW = 5 * 60_000;
let rig: SchoolsCollector;
let influx: InfluxServer;
let collector: RunningCollector;

beforeAll(async () => {
  rig = await startSchoolsCollector({ name: 'late-backlog', database: DB, sites: ['north', 'south'], agents: [['north-1', 'north'], ['south-1', 'south']], extras: { lateBacklogQuietMs: 300 } });
  ({ influx, collector } = rig);
}, 60_000);

afterAll(() => rig?.stop());

async function publish(agent: string, site: string, seq: number, times: number[]): Promise<void> {
  const client = await rig.connect(agent);
  const samples = times.map((time, i) => ({ measurement: 'ping', tags: { device: 'router' }, fields: { up: i % 4 === 0 ? 0 : 1, rtt_avg_ms: 2 }, time }));
  const batch: SamplesBatch = { v: WIRE_VERSION, agent, site, seq, sentAt: Date.now(), samples };
  await client.publishAsync(samplesTopic(site), JSON.stringify(batch), { qos: 1 });
}

const rolledUp = async (site: string) => {
  const [r] = await influx.query(`SELECT mean_up, samples FROM "rollup_5m"."ping" WHERE "site" = '${site}' AND time > now() - 1d`, DB);
  return r?.series?.[0]?.values.map((v) => v.slice(1)) ?? [];
};

describe('a spool replayed after the rollups\' reach', () => {
  it('is rolled up for its school, window by window, and a live school\'s fresh data is left to its hour\'s round', async () => {
    const start = Math.floor((Date.now() - 3 * 3_600_000) / WINDOW) * WINDOW;
    // Two windows of one-minute polls, three hours old: 10 samples, a quarter of them down.
    await publish('north-1', 'north', 0, Array.from({ length: 10 }, (_, i) => start + i * 60_000));
    await publish('south-1', 'south', 0, [Date.now() - 5_000]);
    await waitFor(async () => (await rolledUp('north')).length === 2, { timeoutMs: 30_000, intervalMs: 200, what: 'north\'s two late windows rolled up' });
    // Samples 0, 4, 8 are down: window one holds 0–4 (two down of five), window two 5–9 (one down).
    expect(await rolledUp('north')).toEqual([
      [0.6, 5],
      [0.8, 5],
    ]);
    expect(collector.lateBacklog.pending().size).toBe(0);
    await collector.lateBacklog.runDue();
    expect(await rolledUp('south')).toEqual([]);
    const [daily] = await influx.query(`SELECT sum_mean_up, windows FROM "rollup_5m"."ping_site_1d" GROUP BY "site"`, DB);
    expect(daily?.series?.map((s) => s.tags?.['site'])).toEqual(['north']);
  }, 60_000);
});
