import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WIRE_VERSION, samplesTopic } from '../../contract/index.ts';
import type { RunningCollector } from '../../collector/run.ts';
import type { InfluxServer } from '../harness/index.ts';
import { startSchoolsCollector, type SchoolsCollector } from '../support/schools-collector.ts';

/**
 * Issue 11, items 2, 4, 7, 8 and 9, each reproduced through the real path: an agent's MQTT publish (QoS 1) to
 * the collector's embedded broker, the ingest, the write-ahead log and a real influxd. A publish that resolves
 * has had its PUBACK: the message is settled, never to be resent.
 */
const DB = 'closed_doors';
const NORTH_BUDGET = 40;
let rig: SchoolsCollector;
let influx: InfluxServer;
let collector: RunningCollector;
let seq = 0;

const connect = (agent: string): Promise<MqttClient> => rig.connect(agent);

/** Publishes raw JSON text as `agent`'s batch: resolves once the collector acknowledged it. */
async function send(client: MqttClient, agent: string, site: string, samples: unknown[] | string): Promise<void> {
  const text = typeof samples === 'string' ? samples : JSON.stringify({ v: WIRE_VERSION, agent, site, seq: seq++, sentAt: Date.now(), samples });
  await client.publishAsync(samplesTopic(site), text, { qos: 1 });
}

async function count(q: string): Promise<number> {
  const [r] = await influx.query(q, DB);
  return Number(r?.series?.[0]?.values[0]?.[1] ?? 0);
}

beforeAll(async () => {
  rig = await startSchoolsCollector({
    name: 'closed-doors',
    database: DB,
    sites: ['north', 'south', 'east'],
    agents: [['north-1', 'north'], ['south-1', 'south'], ['east-1', 'east']],
    config: { ingest: { seriesBudget: { sites: { north: NORTH_BUDGET } }, reportIntervalSeconds: 3_600 } },
  });
  ({ influx, collector } = rig);
}, 60_000);

afterAll(() => rig?.stop());

const ping = (device: string, fields: Record<string, unknown>, time = Date.now()) => ({ measurement: 'ping', tags: { device, role: 'internet' }, fields, time });

describe('closed doors on the data path', () => {
  it('item 8: a "__proto__" key is refused at decode and acknowledged; the agent goes on', async () => {
    const north = await connect('north-1');
    const before = collector.ingest.stats().rejects.invalid;
    const text = (inner: string) => `{"v":${WIRE_VERSION},"agent":"north-1","site":"north","seq":${seq++},"sentAt":${Date.now()},"samples":[{"measurement":"ping","tags":${inner},"fields":{"up":1},"time":${Date.now()}}]}`;
    // Each publish resolving is its PUBACK: none is left for the agent to send again.
    await send(north, 'north-1', 'north', text('{"__proto__":{}}'));
    await send(north, 'north-1', 'north', text('{"__proto__":"x\\nping,site=south up=0 1"}'));
    await send(north, 'north-1', 'north', text('{"\\u005f_proto__":{"a":"b"}}'));
    await send(north, 'north-1', 'north', text('{"constructor":"x"}'));
    expect(collector.ingest.stats().rejects.invalid - before).toBe(4);
    expect(collector.ingest.stats().rejects.internal).toBe(0);
    await send(north, 'north-1', 'north', [ping('gw', { up: 1, loss_pct: 0 })]);
    await collector.writer.flush();
    expect(await count(`SELECT count(up) FROM ping WHERE site='north'`)).toBe(1);
    expect(await count(`SELECT count(up) FROM ping WHERE site='south'`)).toBe(0);
  });

  it("item 2: text that once made a line of its own is stored as one field; nothing lands under the other school", async () => {
    const north = await connect('north-1');
    const now = Date.now();
    const injected = `\nping,device=gw,site=south up=0,loss_pct=100 ${now}`;
    await send(north, 'north-1', 'north', [
      ping('x\\ y\\,\\,\\,', { up: 1, error: injected }), // refused with its batch: a backslash before a space
    ]);
    await send(north, 'north-1', 'north', [ping('lab', { up: 1, error: injected }, now + 1)]);
    await collector.writer.flush();
    expect(await count(`SELECT count(up) FROM ping WHERE site='south'`)).toBe(0);
    const [r] = await influx.query(`SELECT error FROM ping WHERE site='north' AND device='lab'`, DB);
    expect(r?.series?.[0]?.values[0]?.[1]).toBe(injected);
  });

  it('item 4: wrong field types and far-future times are refused per sample, counted; the other school writes on', async () => {
    const north = await connect('north-1');
    const south = await connect('south-1');
    const day = 86_400_000;
    const shardsBefore = (await influx.query('SHOW SHARDS'))[0]?.series?.find((s) => s.name === DB)?.values.length ?? 0;
    const before = collector.ingest.stats().rejectedSamples;
    // 30 poison samples, one per future day, and one now with the wrong type, in one batch with a good one.
    const poison = Array.from({ length: 30 }, (_, i) => ping('gw', { up: 'x' }, Date.now() + (i + 1) * day));
    await send(north, 'north-1', 'north', [...poison, ping('gw', { up: 'x' }), ping('gw2', { up: 1, loss_pct: 0 })]);
    // Just inside the allowed clock skew (5 min) is fine; just outside is not.
    await send(north, 'north-1', 'north', [ping('skew', { up: 1 }, Date.now() + 4 * 60_000), ping('skew', { up: 1 }, Date.now() + 6 * 60_000)]);
    // Older than the raw retention (45 days) is refused; a day old is fine.
    await send(north, 'north-1', 'north', [ping('old', { up: 1 }, Date.now() - 46 * day), ping('old', { up: 1 }, Date.now() - day)]);
    const after = collector.ingest.stats().rejectedSamples;
    expect(after['time-future'] - before['time-future']).toBe(31);
    expect(after['field-type'] - before['field-type']).toBe(1);
    expect(after['time-past'] - before['time-past']).toBe(1);

    // South's numeric ping for today and tomorrow's first minutes is stored: nothing poisoned its type.
    await send(south, 'south-1', 'south', [ping('gw', { up: 1, loss_pct: 0 }), ping('gw', { up: 0, loss_pct: 100 }, Date.now() + 60_000)]);
    await collector.writer.flush();
    expect(await count(`SELECT count(up) FROM ping WHERE site='south'`)).toBe(2);
    expect(await count(`SELECT count(up) FROM ping WHERE site='north' AND (device='gw2' OR device='skew' OR device='old')`)).toBe(3);
    const shardsAfter = (await influx.query('SHOW SHARDS'))[0]?.series?.find((s) => s.name === DB)?.values.length ?? 0;
    expect(shardsAfter - shardsBefore).toBeLessThanOrEqual(3);
    expect(collector.writer.stats().pointsRejected).toBe(0);
  });

  it('a field named like a tag ("site", "device") is refused: every school keeps its rows', async () => {
    const north = await connect('north-1');
    const before = collector.ingest.stats().rejectedSamples['key-conflict'];
    await send(north, 'north-1', 'north', [ping('gw', { up: 1, site: 'x' }), ping('gw', { up: 1, device: 'x' }), { measurement: 'ping', tags: { device: 'gw', up: '1' }, fields: { loss_pct: 0 }, time: Date.now() }]);
    expect(collector.ingest.stats().rejectedSamples['key-conflict'] - before).toBe(3);
    await collector.writer.flush();
    expect(await count(`SELECT count(up) FROM ping WHERE site='south'`)).toBeGreaterThan(0);
    const [keys] = await influx.query('SHOW FIELD KEYS FROM ping', DB);
    expect(keys?.series?.[0]?.values.map((v) => v[0])).not.toContain('site');
  });

  it("item 7: one school's new series stop at its budget, counted; the other school's new devices are stored", async () => {
    const north = await connect('north-1');
    const south = await connect('south-1');
    const used = collector.ingest.seriesUsed('north');
    const before = collector.ingest.stats().rejectedSamples['series-budget'];
    const flood = Array.from({ length: 500 }, (_, i) => ping(`flood-${i}`, { up: 1 }));
    await send(north, 'north-1', 'north', flood);
    expect(collector.ingest.seriesUsed('north')).toBe(NORTH_BUDGET);
    expect(collector.ingest.stats().rejectedSamples['series-budget'] - before).toBe(500 - (NORTH_BUDGET - used));
    // A known series still takes new points; south's new devices are not held back.
    await send(north, 'north-1', 'north', [ping('gw', { up: 1 }, Date.now() + 10)]);
    await send(south, 'south-1', 'south', Array.from({ length: 100 }, (_, i) => ping(`new-${i}`, { up: 1 })));
    await collector.writer.flush();
    expect(await count(`SELECT count(up) FROM ping WHERE site='south' AND device=~/^new-/`)).toBe(100);
    expect(await count(`SELECT count(up) FROM ping WHERE site='north' AND device=~/^flood-/`)).toBe(NORTH_BUDGET - used);
  });

  it('item 9: accepted and rejected counts per agent and reason are written to collector_ingest', async () => {
    collector.ingestReport.report();
    await collector.writer.flush();
    const [r] = await influx.query(`SELECT sum(samples), sum(batches) FROM collector_ingest GROUP BY site, agent, outcome, reason`, DB);
    const key = (s: { tags?: Record<string, string> }) => `${s.tags!['site']}/${s.tags!['agent']}/${s.tags!['outcome']}/${s.tags!['reason']}`;
    const rows = Object.fromEntries((r?.series ?? []).map((s) => [key(s), s.values[0]![1]]));
    const batches = Object.fromEntries((r?.series ?? []).map((s) => [key(s), s.values[0]![2]]));
    expect(rows['north/north-1/rejected/series-budget']).toBe(collector.ingest.stats().rejectedSamples['series-budget']);
    expect(rows['north/north-1/rejected/time-future']).toBe(collector.ingest.stats().rejectedSamples['time-future']);
    expect(rows['north/north-1/rejected/key-conflict']).toBe(3);
    expect(rows['south/south-1/accepted/none']).toBe(102);
    expect(batches['north/north-1/rejected/invalid']).toBe(5);
    // A school's counts are filed under that school only.
    expect(Object.keys(rows).filter((k) => k.startsWith('south/')).every((k) => k.includes('/south-1/'))).toBe(true);
  });
});

describe('alerts from the ingest', () => {
  it("a school over its series budget and an agent whose data is refused each raise an alert naming them; the well-behaved school's do not", () => {
    collector.alerts.tick();
    const open = collector.alerts.alerts().filter((a) => a.state !== 'resolved');
    const budget = open.filter((a) => a.rule === 'site-series-budget');
    expect(budget.map((a) => a.site)).toEqual(['north']);
    expect(budget[0]!.title).toContain(`budget of ${NORTH_BUDGET} series`);
    const refused = open.filter((a) => a.rule === 'agent-data-refused');
    expect(refused.map((a) => `${a.site}/${a.instance}`)).toEqual(['north/north-1']);
    expect(refused[0]!.facts.find((f) => f.label === 'Reasons')!.value).toContain('series-budget');
  });
});

describe('broker refusals are visible, and a misbehaving agent is named', () => {
  it("a denied subscribe and 19 invalid messages reach collector_ingest, collector_broker and an alert naming east's agent; south's single reject stays quiet", async () => {
    const before = collector.broker.stats.subscribeDenied;
    const east = await connect('east-1');
    const closed = new Promise<void>((resolve) => east.once('close', () => resolve()));
    // Another school's config topic: denied, and the connection is closed [issue 11: the first denied subscribe disconnects].
    east.subscribe('hallmonitor/v1/south/config', { qos: 1 });
    await closed;
    expect(collector.broker.stats.subscribeDenied).toBe(before + 1);
    const again = await connect('east-1'); // its login is held a moment after the denial
    for (let i = 0; i < 19; i++) await send(again, 'east-1', 'east', 'not json');
    const south = await connect('south-1');
    await send(south, 'south-1', 'south', 'not json either');

    collector.ingestReport.report();
    collector.brokerReport.report();
    await collector.writer.flush();
    const [r] = await influx.query(`SELECT sum(batches) FROM collector_ingest WHERE outcome = 'rejected' GROUP BY site, agent, reason`, DB);
    const rows = Object.fromEntries((r?.series ?? []).map((x) => [`${x.tags!['site']}/${x.tags!['agent']}/${x.tags!['reason']}`, x.values[0]![1]]));
    expect(rows['east/east-1/subscribe-denied']).toBe(1);
    expect(rows['east/east-1/invalid']).toBe(19);
    expect(await count(`SELECT last(subscribes_denied) FROM collector_broker WHERE site = '_collector'`)).toBe(collector.broker.stats.subscribeDenied);
    expect(await count(`SELECT last(connections) FROM collector_broker`)).toBeGreaterThanOrEqual(2);

    collector.alerts.tick();
    const refused = collector.alerts.alerts().filter((a) => a.state !== 'resolved' && a.rule === 'agent-data-refused');
    const east1 = refused.find((a) => a.site === 'east');
    expect(east1?.instance).toBe('east-1');
    expect(east1?.title).toContain('east-1');
    expect(east1?.facts.find((f) => f.label === 'School')?.value).toContain('east');
    expect(east1?.facts.find((f) => f.label === 'Reasons')?.value).toMatch(/invalid 19, subscribe-denied 1/);
    // One reject is counted and shown, not alerted.
    expect(rows['south/south-1/invalid']).toBe(1);
    expect(refused.filter((a) => a.site === 'south')).toEqual([]);
  });
});
