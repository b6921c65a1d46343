import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../../collector/run.ts';
import { waitFor, type ServiceProcess } from '../harness/index.ts';
import { AGENT_MEASUREMENTS, faultRig, keyOf, loopbackDevices, readSpool, samplesOf, type FaultRig, type Received, type SpoolContents } from './rig.ts';

/**
 * Invariant 1 on real processes: the agent CLI polls 64 loopback hosts every second with its collector
 * unreachable, is killed with SIGKILL once ≥1,000 samples are spooled, is started again (still
 * unreachable: it keeps polling into the same spool), and then the collector comes up. Every sample the
 * agent stored reaches InfluxDB once, at the time it was measured, with the bytes it was stored with.
 */
let rig: FaultRig;
let first: ServiceProcess;
let second: ServiceProcess;
let atKill: SpoolContents;
let collector: RunningCollector;
let received: Received;

beforeAll(async () => {
  rig = await faultRig('outage');
  rig.writeAgentConfig({ devices: loopbackDevices(64), batch: { maxDelayMs: 200 } });
});
afterAll(async () => {
  await rig?.remove();
});

const spooledSamples = (s: SpoolContents) => [...s.batches.values()].reduce((n, p) => n + samplesOf(p).length, 0);

describe('agent kill -9 and broker outage', () => {
  it('spools ≥1,000 samples while the collector is unreachable, and a kill -9 keeps every committed batch', async () => {
    first = await rig.spawnAgent();
    await waitFor(() => spooledSamples(readSpool(rig.spoolFile)) >= 1_000, {
      timeoutMs: 45_000,
      intervalMs: 500,
      what: '1,000 samples in the spool',
      service: first,
    });
    const before = readSpool(rig.spoolFile);
    process.kill(first.pid, 'SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    atKill = readSpool(rig.spoolFile);
    expect(atKill.integrity).toBe('ok');
    const seqs = [...atKill.batches.keys()];
    expect(seqs).toEqual(seqs.map((_, i) => i));
    for (const [seq, payload] of before.batches) expect(atKill.batches.get(seq)?.equals(payload), `seq ${seq}`).toBe(true);
    expect(spooledSamples(atKill)).toBeGreaterThanOrEqual(1_000);
  });

  it('the restarted agent keeps the backlog, carries on the sequence and keeps polling into the spool', async () => {
    second = await rig.spawnAgent();
    const killed = atKill.batches.size;
    await waitFor(
      () => {
        const now = readSpool(rig.spoolFile);
        const own = [...now.batches].filter(([seq]) => seq >= killed);
        return own.reduce((n, [, p]) => n + samplesOf(p).length, 0) >= 500;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: '500 samples of the second run in the spool', service: second },
    );
    const now = readSpool(rig.spoolFile);
    for (const [seq, payload] of atKill.batches) expect(now.batches.get(seq)?.equals(payload), `seq ${seq}`).toBe(true);
    expect(Math.min(...[...now.batches.keys()].filter((s) => s >= killed))).toBe(killed);
    expect(now.droppedBatches).toBe(0);
  });

  it('when the collector comes up, the backlog goes first and every stored sample arrives once, at its measured time', async ({ annotate }) => {
    const backlog = readSpool(rig.spoolFile).nextSeq;
    ({ collector, received } = await rig.startCollector());
    const started = performance.now();
    await waitFor(() => Array.from({ length: backlog }, (_, i) => i).every((s) => received.batches.has(s)), {
      timeoutMs: 30_000,
      what: `seqs 0-${backlog - 1} at the broker`,
      service: second,
    });
    const replayMs = performance.now() - started;
    // A few more batches made while connected, then a clean stop (it flushes its last batch to the spool).
    await waitFor(() => received.batches.has(backlog + 5), { timeoutMs: 10_000, what: 'new batches after the backlog', service: second });
    await second.stop();
    expect(second.exitStatus).toEqual({ code: 0, signal: null });
    const left = readSpool(rig.spoolFile);

    // Every seq the agent ever made is at the broker or still in the spool: none lost, none skipped.
    const accounted = new Set([...received.batches.keys(), ...left.batches.keys()]);
    expect(accounted.size).toBe(left.nextSeq);
    expect(Math.max(...accounted)).toBe(left.nextSeq - 1);
    // Replayed as stored: the same bytes, so the same sentAt; and first arrivals strictly oldest first.
    for (const [seq, payload] of atKill.batches) expect(received.batches.get(seq)?.equals(payload), `seq ${seq}`).toBe(true);
    expect(received.order).toEqual([...received.order].sort((a, b) => a - b));

    const sent = [...received.batches.values()].flatMap(samplesOf);
    await collector.writer.flush();
    const stored = await rig.stored(AGENT_MEASUREMENTS);
    expect(stored.size).toBe(sent.length);
    for (const sample of sent) {
      const row = stored.get(keyOf(sample));
      expect(row, keyOf(sample)).toBeDefined();
      for (const [field, value] of Object.entries(sample.fields)) expect(row?.[field], `${keyOf(sample)} ${field}`).toEqual(value);
    }
    const killedSamples = [...atKill.batches.values()].flatMap(samplesOf);
    expect(killedSamples.every((s) => stored.has(keyOf(s)))).toBe(true);
    expect(collector.ingest.stats().agents[rig.agent]).toMatchObject({ missing: 0, restarts: 0 });
    await annotate(
      `spooled at kill: ${killedSamples.length} samples in ${atKill.batches.size} batches; backlog at connect: ${backlog} batches, ` +
        `at the broker in ${Math.round(replayMs)} ms; stored: ${stored.size} = sent ${sent.length}; copies received ${received.copies}`,
    );
  });
});
