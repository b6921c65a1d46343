import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configTopic, eventsTopic, samplesTopic, statusTopic } from '../../contract/index.ts';
import { startTestBroker, until, type TestBroker } from './testing.ts';

let t: TestBroker;
beforeAll(async () => {
  t = await startTestBroker();
});
afterEach(() => {
  t.published.length = 0;
});
afterAll(async () => {
  await t.stop();
});

describe('embedded broker: an agent is confined to its own site', () => {
  it('may publish its samples, events and (retained) status', async () => {
    const client = await t.connect(t.creds.north1);
    await client.publishAsync(samplesTopic('north'), 's', { qos: 1 });
    await client.publishAsync(eventsTopic('north'), 'e', { qos: 1 });
    await client.publishAsync(statusTopic('north', 'north-1'), 'st', { qos: 1, retain: true });
    expect(t.published.map((p) => p.packet.topic)).toEqual([
      samplesTopic('north'),
      eventsTopic('north'),
      statusTopic('north', 'north-1'),
    ]);
    await client.endAsync();
  });

  const denied: Array<[string, string, boolean]> = [
    ['samples of another site', samplesTopic('south'), false],
    ['the status of another agent at its own site', statusTopic('north', 'north-2'), false],
    ['its site config (the collector publishes that)', configTopic('north'), false],
    ['a retained samples message', samplesTopic('north'), true],
    ['a $SYS topic', '$SYS/broker/x', false],
  ];
  it.each(denied)('may not publish %s: the connection is closed, nothing is passed on', async (_name, topic, retain) => {
    const before = t.broker.stats.publishDenied;
    const client = await t.connect(t.creds.north1);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish(topic, 'x', { qos: 1, retain });
    await closed;
    expect(t.published).toEqual([]);
    expect(t.broker.stats.publishDenied).toBe(before + 1);
    const record = t.records().findLast((r) => r.msg === 'publish denied');
    expect(record).toMatchObject({ agent: 'north-1', site: 'north', topic: JSON.stringify(topic), reason: expect.any(String) });
  });

  it('may subscribe to its site config only: the first other filter closes the connection, once counted and logged (issue 11 item 6)', async () => {
    const before = t.broker.stats.subscribeDenied;
    const client = await t.connect(t.creds.north1);
    await client.subscribeAsync(configTopic('north'), { qos: 1 });
    const filters = [configTopic('south'), 'hallmonitor/v1/north/#', '#', 'hallmonitor/v1/+/config'];
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.subscribe(filters, { qos: 1 });
    await closed;
    expect(t.broker.stats.subscribeDenied).toBe(before + 1);
    expect(t.records().filter((r) => r.msg === 'subscribe denied' && r.agent === 'north-1')).toHaveLength(1);
  });

  it('receives its own site\'s retained config published by the collector, not another site\'s', async () => {
    const publish = (site: string) =>
      new Promise<void>((resolve, reject) =>
        t.broker.aedes.publish(
          { cmd: 'publish', topic: configTopic(site), payload: Buffer.from(`config of ${site}`), qos: 1, retain: true, dup: false },
          (err) => (err ? reject(err) : resolve()),
        ),
      );
    await publish('north');
    await publish('south');
    const client = await t.connect(t.creds.north2);
    const got: Array<{ topic: string; payload: string; retain: boolean }> = [];
    client.on('message', (topic, payload, packet) => got.push({ topic, payload: payload.toString(), retain: packet.retain }));
    await client.subscribeAsync(configTopic('north'), { qos: 1 });
    await until(() => got.length > 0);
    await new Promise((r) => setTimeout(r, 50));
    // [MQTT-3.3.1-8]: a retained message sent for a new subscription has RETAIN set.
    expect(got).toEqual([{ topic: configTopic('north'), payload: 'config of north', retain: true }]);
    await client.endAsync();
  });
});
