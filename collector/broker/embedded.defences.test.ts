import { afterEach, describe, expect, it } from 'vitest';
import { samplesTopic, statusTopic } from '../../contract/index.ts';
import { revokeAgent } from '../agents/store.ts';
import { startTestBroker, until, type TestBroker } from './testing.ts';

let t: TestBroker | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * A hold runs from the failure, not from the next attempt (penalty.ts), so a retry that a loaded machine
 * takes longer than the hold to make is rightly not held, and the count of held logins would depend on the
 * machine. The broker's clock here moves only when the test moves it: every retry arrives the moment the last
 * one failed, as a scripted guesser's does. The holds themselves are real timers, measured below.
 */
const standingClock = () => {
  const c = { at: Date.now(), now: () => c.at };
  return c;
};

describe('embedded broker: repeated failed logins are slowed down', () => {
  it('holds the CONNACK longer after each wrong password, logs the burst once, and lets the right password in', async () => {
    const clock = standingClock();
    t = await startTestBroker({ loginBackoff: { baseMs: 100, maxMs: 400, quietMs: 60_000 }, now: clock.now });
    const { north1 } = t.creds;
    const wrong = { id: north1.id, password: 'guess-number-one-of-many' };
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await expect(t.connect(wrong)).rejects.toMatchObject({ code: 4 });
      times.push(performance.now() - started);
    }
    // Held 0, 100, 200, 400, 400 ms before the password was even checked.
    expect(times[2]!).toBeGreaterThanOrEqual(190);
    expect(times[4]!).toBeGreaterThanOrEqual(390);
    expect(times.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1_090);
    expect(t.broker.stats.authDelayed).toBe(4);
    expect(t.broker.stats.authFailures).toBe(5);
    expect(t.records().filter((r) => r.msg === 'repeated login failures: slowing logins from this address down')).toHaveLength(1);
    expect(t.records().filter((r) => r.msg === 'connection refused' && r.level === 40)).toHaveLength(1);

    await sleep(420); // the last hold runs out
    clock.at += 420;
    const started = performance.now();
    const client = await t.connect(north1);
    expect(performance.now() - started).toBeLessThan(300);
    expect(t.broker.stats.authDelayed).toBe(4);
    await client.endAsync();

    // The success reset the count: the next failure is not held.
    await expect(t.connect(wrong)).rejects.toMatchObject({ code: 4 });
    expect(t.broker.stats.authDelayed).toBe(4);
    expect(t.logLines.join('')).not.toContain(wrong.password);
  });

  it('still lets the right password in while the address is held, just later', async () => {
    t = await startTestBroker({ loginBackoff: { baseMs: 200, maxMs: 200, quietMs: 60_000 }, now: standingClock().now });
    await expect(t.connect({ id: 'north-1', password: 'wrong' })).rejects.toMatchObject({ code: 4 });
    const started = performance.now();
    const client = await t.connect(t.creds.north1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    expect(t.broker.stats.authDelayed).toBe(1);
    await client.endAsync();
  });
});

describe('embedded broker: revocation of a connected agent', () => {
  it('closes the revoked agent\'s connection within the check interval; its will marks it offline; others stay', async () => {
    t = await startTestBroker({ revocationCheckMs: 50 });
    const will = { topic: statusTopic('north', 'north-1'), payload: Buffer.from('{"state":"offline"}'), qos: 1 as const, retain: true };
    const north = await t.connect(t.creds.north1, { will });
    const south = await t.connect(t.creds.south1);
    const closed = new Promise<void>((resolve) => north.once('close', () => resolve()));
    revokeAgent(t.file, 'north-1');
    await closed;
    expect(t.broker.stats.revokedDisconnects).toBe(1);
    expect(t.records().find((r) => r.msg === 'revoked agent disconnected')).toMatchObject({ agent: 'north-1', site: 'north', reason: expect.stringMatching(/^agent revoked at /) });
    await until(() => t!.published.some((p) => p.packet.topic === will.topic));
    expect(south.connected).toBe(true);
    await south.publishAsync(samplesTopic('south'), '{}', { qos: 1 });
    north.end(true);
    await expect(t.connect(t.creds.north1)).rejects.toMatchObject({ code: 4 });
  });
});

describe('embedded broker: message size limit', () => {
  it('acknowledges a publish over maxMessageBytes without passing it on, counts and logs it; the connection stays', async () => {
    t = await startTestBroker({ maxMessageBytes: 1_024 });
    const client = await t.connect(t.creds.north1);
    await client.publishAsync(samplesTopic('north'), Buffer.alloc(1_024, 'a'), { qos: 1 });
    // Acknowledged: otherwise the agent's spool would resend it after every reconnect.
    await client.publishAsync(samplesTopic('north'), Buffer.alloc(1_025, 'a'), { qos: 1 });
    expect(t.published).toHaveLength(1);
    expect(t.broker.stats.oversizeRejected).toBe(1);
    expect(t.records().find((r) => r.msg === 'message too large: dropped')).toMatchObject({ agent: 'north-1', bytes: 1_025, limit: 1_024 });
    expect(client.connected).toBe(true);
    // The topic rules come first: an oversize message on a foreign topic still closes the connection.
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish(samplesTopic('south'), Buffer.alloc(2_000, 'a'), { qos: 1 });
    await closed;
    expect(t.broker.stats.publishDenied).toBe(1);
  });
});
