import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../collector/storage/backoff.ts';
import { pidAlive, waitFor } from '../harness/index.ts';
import { SAMPLES_PER_MESSAGE, collectorFaultRig, readWal, type CollectorFaultRig } from './collector-rig.ts';

/**
 * Invariant 1 with InfluxDB stopped under load (20 s here, for the hour of DESIGN.md): 4 agents publish 20
 * batches/s each to the collector CLI, whose write-ahead log is bounded at 1 MiB. The log grows until the
 * bound; then acknowledgements wait (the agents keep their batches), and nothing is dropped. InfluxDB comes
 * back on the same port and data; every sample made is stored once.
 */
const AGENTS = 4;
const MAX_BYTES = 1 << 20;
let rig: CollectorFaultRig;

beforeAll(async () => {
  rig = await collectorFaultRig('collector-influx', AGENTS, { wal: { maxBytes: MAX_BYTES } });
});
afterAll(async () => {
  await rig?.remove();
});

const unacked = () => rig.agents.reduce((n, a) => n + a.outbox.size, 0);

describe('InfluxDB stopped under load', () => {
  it('holds acknowledgements at the log bound and loses nothing', async ({ annotate }) => {
    const collector = await rig.startCollector();
    const stop = rig.produce(50);
    await sleep(3_000);
    const pid = rig.influx.pid;
    process.kill(pid, 'SIGTERM');
    await waitFor(() => !pidAlive(pid), { timeoutMs: 10_000, what: 'influxd to exit' });
    const down = performance.now();

    // The log fills up to its bound, then the broker stops acknowledging: the agents' outboxes grow.
    await waitFor(() => readWal(rig.walFile).bytes >= MAX_BYTES, { timeoutMs: 25_000, intervalMs: 250, what: 'the log at its bound', service: collector });
    const atBound = readWal(rig.walFile);
    await sleep(Math.max(0, 20_000 - (performance.now() - down)));
    const beforeRestart = { wal: readWal(rig.walFile), unacked: unacked() };
    await rig.influx.restart();
    const outageMs = performance.now() - down;

    await sleep(2_000);
    stop();
    await rig.drained(40_000);
    const made = rig.agents.reduce((n, a) => n + a.nextSeq, 0);
    const expected = made * SAMPLES_PER_MESSAGE;
    await waitFor(async () => (await rig.storedCount()) >= expected, { timeoutMs: 30_000, intervalMs: 250, what: `${expected} points in InfluxDB`, service: collector });
    await waitFor(() => readWal(rig.walFile).entries === 0, { timeoutMs: 10_000, what: 'the write-ahead log emptied', service: collector });

    expect(await rig.storedCount()).toBe(expected);
    // At the bound the log stops growing (one group commit of slack) and the agents hold the rest.
    expect(beforeRestart.wal.bytes).toBeLessThan(MAX_BYTES + 64 * 1024);
    expect(beforeRestart.unacked).toBeGreaterThan(AGENTS * 10);
    for (const agent of rig.agents) {
      expect(readWal(rig.walFile).sequences.get(agent.id), agent.id).toMatchObject({ max: agent.nextSeq - 1, counts: { missing: 0, restarts: 0 } });
    }
    await annotate(
      `InfluxDB down ${Math.round(outageMs / 1000)} s; log at its bound with ${atBound.entries} entries (${atBound.bytes} bytes); ` +
        `before restart: ${beforeRestart.wal.entries} entries (${beforeRestart.wal.bytes} bytes) in the log, ${beforeRestart.unacked} batches unacknowledged at the agents; ` +
        `made ${made} batches, stored ${expected} samples = made`,
    );
  }, 90_000);
});
