import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInfluxClient } from '../../collector/storage/influx-client.ts';
import { ROLLUP_WINDOW_MS, timelineFromRollups } from '../../collector/reports/availability/observed.ts';
import { loadDeviceData } from '../../collector/reports/data/influx-source.ts';
import { startInflux, type InfluxServer } from '../harness/index.ts';

const DB = 'reader';
const FROM = Date.parse('2026-11-01T00:00:00Z');
const RANGE = { start: FROM, end: FROM + 200 * ROLLUP_WINDOW_MS };
let influx: InfluxServer;

beforeAll(async () => {
  influx = await startInflux();
  for (const q of [`CREATE DATABASE "${DB}"`, `CREATE RETENTION POLICY "raw" ON "${DB}" DURATION INF REPLICATION 1 DEFAULT`, `CREATE RETENTION POLICY "rollup_5m" ON "${DB}" DURATION INF REPLICATION 1`]) await influx.query(q);
}, 60_000);
afterAll(async () => {
  await influx?.stop();
});

/** A rollup row as the collector writes it; any field may be missing (a window where the device sent only some). */
const row = fc.record(
  {
    slot: fc.integer({ min: -5, max: 205 }),
    meanUp: fc.integer({ min: 0, max: 100 }).map((n) => n / 100),
    samples: fc.integer({ min: 0, max: 12 }),
    rtt: fc.integer({ min: 1, max: 9_000 }).map((n) => n / 10),
    loss: fc.integer({ min: 0, max: 100 }),
  },
  { requiredKeys: ['slot'] },
);

describe("a device's month read from InfluxDB's answer in place (influx-source.ts), judged by what was written", () => {
  it('rollups: the timeline of the rows in range that have mean_up and samples, and the link readings of every row', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(row, { selector: (r) => r.slot, maxLength: 60 }), fc.boolean(), fc.constantFrom(30_000, 60_000, 300_000), async (rows, link, intervalMs) => {
        const site = `s${run++}`;
        const lines = rows.flatMap((r) => {
          const fields = [
            ...(r.meanUp === undefined ? [] : [`mean_up=${r.meanUp}`]),
            ...(r.samples === undefined ? [] : [`samples=${r.samples}i`]),
            ...(r.rtt === undefined ? [] : [`mean_rtt_avg_ms=${r.rtt}`]),
            ...(r.loss === undefined ? [] : [`mean_loss_pct=${r.loss}`]),
          ];
          return fields.length === 0 ? [] : [`ping,site=${site},device=line ${fields.join(',')} ${FROM + r.slot * ROLLUP_WINDOW_MS}`];
        });
        if (lines.length > 0) {
          const r = await fetch(`${influx.url}/write?${new URLSearchParams({ db: DB, rp: 'rollup_5m', precision: 'ms' })}`, { method: 'POST', body: lines.join('\n') });
          expect(r.status).toBe(204);
        }
        const client = createInfluxClient({ url: influx.url, database: DB });
        const got = await loadDeviceData(client, DB, { site, device: 'line', range: RANGE, source: 'rollup', measurement: 'ping', intervalMs, readings: link });
        // What InfluxDB holds in range for the fields asked for, oldest first.
        const asked = (r: (typeof rows)[number]) => r.meanUp !== undefined || r.samples !== undefined || (link && (r.rtt !== undefined || r.loss !== undefined));
        const held = rows.filter((r) => asked(r) && FROM + r.slot * ROLLUP_WINDOW_MS >= RANGE.start && FROM + r.slot * ROLLUP_WINDOW_MS < RANGE.end).sort((a, b) => a.slot - b.slot);
        const windows = held.filter((r) => r.meanUp !== undefined && r.samples !== undefined).map((r) => ({ time: FROM + r.slot * ROLLUP_WINDOW_MS, meanUp: r.meanUp!, samples: r.samples! }));
        expect(got).toEqual({
          results: [],
          observed: timelineFromRollups(windows, intervalMs, RANGE.start, RANGE.end),
          readings: link ? held.map((r) => ({ time: FROM + r.slot * ROLLUP_WINDOW_MS, rttMs: r.rtt, lossPct: r.loss, weight: r.samples ?? 1 })) : [],
        });
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
