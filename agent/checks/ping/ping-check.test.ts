import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeadHost, type DeadHost } from '../../../test/harness/index.ts';
import { createLogger, deviceSchema, pingCheckSchema, sampleSchema, type Device } from '../../../contract/index.ts';
import type { CheckContext } from '../check.ts';
import { findFping } from './fping.ts';
import { batchedPing, createPingCheck, pingCheck } from './ping-check.ts';

const captured = (name: string) => readFileSync(new URL(`testdata/${name}`, import.meta.url), 'utf8');
const NOW = 1_750_000_000_000;
const ctx: CheckContext = { now: () => NOW, log: createLogger('test', 'silent') };
const device = (address: string): Device => deviceSchema.parse({ name: 'office-printer', address, role: 'printer' });
const config = pingCheckSchema.parse({ probes: 3, probeIntervalSeconds: 0.2, timeoutSeconds: 1 });

describe('ping check (captured output)', () => {
  it('turns a clean run into one valid sample', async () => {
    const check = createPingCheck(async () => captured('loopback-3.txt'));
    const samples = await check.run(device('127.0.0.1'), config, ctx);
    expect(samples).toEqual([
      {
        measurement: 'ping',
        tags: { device: 'office-printer', role: 'printer' },
        time: NOW,
        fields: { up: 1, loss_pct: 0, sent: 3, received: 3, rtt_min_ms: 0.028, rtt_avg_ms: 0.037, rtt_max_ms: 0.044, jitter_ms: 0.006 },
      },
    ]);
    expect(sampleSchema.safeParse(samples[0]).success).toBe(true);
  });

  it('counts a host that answered some probes as up, with its loss', async () => {
    const check = createPingCheck(async () => captured('partial-loss-10.txt'));
    const [s] = await check.run(device('198.18.252.2'), config, ctx);
    expect(s?.fields).toMatchObject({ up: 1, loss_pct: 40, sent: 10, received: 6, rtt_avg_ms: 0.088, jitter_ms: 0.052 });
  });

  it('reports silence as up 0, loss 100, no rtt fields', async () => {
    const check = createPingCheck(async () => captured('no-answer-3.txt'));
    const [s] = await check.run(device('198.18.251.7'), config, ctx);
    expect(s?.fields).toEqual({ up: 0, loss_pct: 100, sent: 3, received: 0, error: 'no reply' });
    expect(sampleSchema.safeParse(s).success).toBe(true);
  });

  it('reports ping failing before sending as up 0 with its reason', async () => {
    const check = createPingCheck(async () => 'ping: connect: Network is unreachable\n');
    const [s] = await check.run(device('198.18.251.7'), config, ctx);
    expect(s?.fields).toEqual({ up: 0, loss_pct: 100, sent: 0, received: 0, error: 'connect: Network is unreachable' });
  });

  it('never hands an address that looks like an option to ping', async () => {
    let ran = false;
    const check = createPingCheck(async () => {
      ran = true;
      return '';
    });
    const [s] = await check.run({ ...device('127.0.0.1'), address: '-f' }, config, ctx);
    expect(ran).toBe(false);
    expect(s?.fields).toMatchObject({ up: 0, error: 'invalid address' });
  });
});

describe('ping check (system ping)', () => {
  it('pings 127.0.0.1: up, no loss, rtt fields', async () => {
    const started = Date.now();
    const [s] = await pingCheck.run(device('127.0.0.1'), config, { ...ctx, now: () => Date.now() });
    expect(s?.fields).toMatchObject({ up: 1, loss_pct: 0, sent: 3, received: 3 });
    for (const key of ['rtt_min_ms', 'rtt_avg_ms', 'rtt_max_ms', 'jitter_ms']) expect(typeof s?.fields[key]).toBe('number');
    expect(s!.time).toBeGreaterThanOrEqual(started);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(sampleSchema.safeParse(s).success).toBe(true);
  });

  it('does not overwrite process.env.LANG (ping 0.4.x did)', async () => {
    const before = process.env.LANG;
    await pingCheck.run(device('127.0.0.1'), { ...config, probes: 1 }, ctx);
    expect(process.env.LANG).toBe(before);
  });
});

describe.runIf(findFping() !== undefined)('ping check (fping batch mode)', () => {
  it('gives checks due together the same sample fields as the system ping, from one fping sweep', async () => {
    const check = createPingCheck(batchedPing());
    const live = { ...ctx, now: () => Date.now() };
    const addresses = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
    const samples = (await Promise.all(addresses.map((a) => check.run(device(a), config, live)))).flat();
    const [single] = await pingCheck.run(device('127.0.0.1'), config, live);
    for (const s of samples) {
      expect(s.fields).toMatchObject({ up: 1, loss_pct: 0, sent: 3, received: 3 });
      expect(Object.keys(s.fields).sort()).toEqual(Object.keys(single!.fields).sort());
      expect(sampleSchema.safeParse(s).success).toBe(true);
    }
  });

  it('still gives a lone check its sample (through the system ping)', async () => {
    const [s] = await createPingCheck(batchedPing()).run(device('127.0.0.1'), { ...config, probes: 1 }, ctx);
    expect(s?.fields).toMatchObject({ up: 1, sent: 1, received: 1 });
  });
});

/** A host that never answers: the harness routes a test range into a namespace that drops it (RIG.md). */
describe.runIf(process.getuid?.() === 0)('ping check (host that does not answer)', () => {
  let dead: DeadHost;
  beforeAll(async () => {
    dead = await createDeadHost();
  });
  afterAll(async () => {
    await dead?.remove();
  });

  it('reports up 0, loss 100 and no rtt, within the probes plus the timeout', async () => {
    const started = Date.now();
    const [s] = await pingCheck.run(device(dead.address), { ...config, probes: 2, timeoutSeconds: 0.5 }, ctx);
    expect(s?.fields).toEqual({ up: 0, loss_pct: 100, sent: 2, received: 0, error: 'no reply' });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
