import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../harness/index.ts';
import { AGENT_MEASUREMENTS, faultRig, keyOf, loopbackDevices, readSpool, samplesOf, type FaultRig } from './rig.ts';

/**
 * The spool's size bound on the real agent: with its collector away and a 16 KiB bound, the agent drops
 * exactly its oldest batches, counts them (batches and samples) in the spool file, logs them, and
 * reports the counts in its retained status once it connects. Everything it kept arrives.
 */
let rig: FaultRig;
beforeAll(async () => {
  rig = await faultRig('bound');
  rig.writeAgentConfig({ devices: loopbackDevices(16), batch: { maxSamples: 8, maxDelayMs: 200 }, spool: { maxBytes: 16_384 } });
});
afterAll(async () => {
  await rig?.remove();
});

describe('spool bound reached', () => {
  it('drops exactly the oldest batches, and the count is in the spool, the log and the agent status', async ({ annotate }) => {
    const agent = await rig.spawnAgent();
    // Watch the spool closely enough to see every batch before the bound drops it (each lives seconds).
    const seen = new Map<number, number>();
    let dropped = 0;
    await waitFor(
      () => {
        const now = readSpool(rig.spoolFile);
        for (const [seq, payload] of now.batches) if (!seen.has(seq)) seen.set(seq, samplesOf(payload).length);
        dropped = now.droppedBatches;
        return dropped >= 10;
      },
      { timeoutMs: 40_000, intervalMs: 100, what: '10 batches dropped by the bound', service: agent },
    );

    const { collector, received } = await rig.startCollector();
    const connectedWith = await waitFor(() => received.statuses.find((s) => s.status.state === 'online')?.status.spool, {
      timeoutMs: 10_000,
      what: 'the online status with spool figures',
      service: agent,
    });
    const last = received.statuses.at(-1)!;
    expect(last.retain).toBe(true);
    const backlogEnd = readSpool(rig.spoolFile).nextSeq;
    await waitFor(() => received.batches.has(backlogEnd), { timeoutMs: 10_000, what: 'the backlog and a new batch at the broker', service: agent });
    await agent.stop();
    const final = readSpool(rig.spoolFile);

    // The bound stopped biting once connected: the status at connect has the final, persisted figures.
    const D = final.droppedBatches;
    expect(D).toBeGreaterThanOrEqual(10);
    expect(connectedWith).toMatchObject({ droppedBatches: D, droppedSamples: final.droppedSamples });
    // Exactly the oldest: seqs 0..D-1 are gone, and every seq from D on is at the broker or still stored.
    for (let seq = 0; seq < D; seq++) expect(seen.has(seq), `seq ${seq} was seen before it was dropped`).toBe(true);
    const lost = Array.from({ length: D }, (_, seq) => seen.get(seq)!).reduce((a, b) => a + b, 0);
    expect(final.droppedSamples).toBe(lost);
    expect([...received.batches.keys()].filter((seq) => seq < D)).toEqual([]);
    const accounted = new Set([...received.batches.keys(), ...final.batches.keys()]);
    expect(accounted).toEqual(new Set(Array.from({ length: final.nextSeq - D }, (_, i) => D + i)));

    // Logged as it happened, with the same counts.
    const drops = readFileSync(agent.logPath, 'utf8')
      .split('\n')
      .filter((l) => l.includes('spool bound reached'))
      .map((l) => JSON.parse(l) as { batches: number; samples: number; reason: string });
    expect(drops.every((d) => d.reason === 'maxBytes')).toBe(true);
    expect([drops.reduce((n, d) => n + d.batches, 0), drops.reduce((n, d) => n + d.samples, 0)]).toEqual([D, lost]);

    // What was kept arrived, at its measured time; nothing dropped did.
    const sent = [...received.batches.values()].flatMap(samplesOf);
    await collector.writer.flush();
    const stored = await rig.stored(AGENT_MEASUREMENTS);
    expect(stored.size).toBe(sent.length);
    expect(sent.every((s) => stored.has(keyOf(s)))).toBe(true);
    await annotate(`dropped ${D} batches / ${lost} samples (seqs 0-${D - 1}); status at connect ${JSON.stringify(connectedWith)}; stored ${stored.size}`);
  });
});
