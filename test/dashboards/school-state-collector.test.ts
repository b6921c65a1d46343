import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WIRE_VERSION, samplesTopic, type SamplesBatch } from '../../contract/index.ts';
import type { RunningCollector } from '../../collector/run.ts';
import { waitFor, type InfluxServer } from '../harness/index.ts';
import { startSchoolsCollector, type SchoolsCollector } from '../support/schools-collector.ts';

/**
 * The collector's wiring: what an agent publishes over MQTT reaches `school_state` in a real influxd, one
 * point per configured school, each school's own devices only (test/dashboards/overview-sources.test.ts
 * judges the numbers against the raw queries; queries.test.ts runs a whole agent).
 */
const DB = 'school_state_wiring';
let rig: SchoolsCollector;
let influx: InfluxServer;
let collector: RunningCollector;

beforeAll(async () => {
  rig = await startSchoolsCollector({ name: 'school-state', database: DB, sites: ['north', 'south', 'empty'], agents: [['north-1', 'north'], ['south-1', 'south']] });
  ({ influx, collector } = rig);
}, 60_000);

afterAll(() => rig?.stop());

const batch = (agent: string, site: string, samples: SamplesBatch['samples']): SamplesBatch => ({ v: WIRE_VERSION, agent, site, seq: 0, sentAt: Date.now(), samples });

describe('school_state from a running collector', () => {
  it('one point per configured school; each school counts its own devices', async () => {
    const t = Date.now() - 10_000;
    for (const [agent, site, ups] of [['north-1', 'north', [1, 0]], ['south-1', 'south', [1, 1]]] as const) {
      const client = await rig.connect(agent);
      const samples = [
        ...ups.map((up, i) => ({ measurement: 'ping', tags: { device: `d${i}` }, fields: { up }, time: t })),
        { measurement: 'snmp', tags: { device: 'd0' }, fields: { up: 1 }, time: t },
      ];
      await client.publishAsync(samplesTopic(site), JSON.stringify(batch(agent, site, samples)), { qos: 1 });
    }
    collector.schoolState.write();
    await collector.writer.flush();
    const rows = async () => {
      const [r] = await influx.query('SELECT last("ping_devices") AS pd, last("ping_failed") AS pf, last("snmp_devices") AS sd, last("state") AS state FROM "school_state" GROUP BY "site"', DB);
      return Object.fromEntries((r?.series ?? []).map((s) => [s.tags?.['site'], s.values[0]?.slice(1)]));
    };
    await waitFor(async () => Object.keys(await rows()).length === 3, { timeoutMs: 20_000, intervalMs: 200, what: 'school_state of three schools' });
    expect(await rows()).toEqual({ north: [2, 1, 1, 0.5], south: [2, 0, 1, 0], empty: [0, 0, 0, null] });
  }, 60_000);
});
