import { uptime } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, decodeMessage, sampleSchema, samplesBatchSchema, type Sample } from '../../contract/index.ts';
import { freeTcpPort, freeUdpPort, makeTempDir, waitFor, type TempDir } from '../../test/harness/index.ts';
import { createCheckSet } from '../check-set.ts';
import { agentConfigSchema } from '../config/schema.ts';
import type { ResolvedAgentConfig } from '../config/load.ts';
import { startAgent, type RunningAgent } from '../run.ts';
import { MemorySpool } from '../spool/memory.ts';

/**
 * The agent machinery with the real systeminformation on this machine: host samples are produced on
 * the configured interval, valid for the wire contract, and agent_health carries the check statistics.
 */
let dir: TempDir | undefined;
let agent: RunningAgent | undefined;
afterEach(async () => {
  await agent?.stop();
  await dir?.remove();
  agent = undefined;
});

/** agent.yaml as loaded, for a collector nobody runs: everything stays in the spool, where the test reads it. */
async function agentConfig(dataDir: string, extra: object): Promise<ResolvedAgentConfig> {
  const url = `mqtt://127.0.0.1:${await freeTcpPort()}`;
  const parsed = agentConfigSchema.parse({ agent: 'north-1', site: 'north', broker: { url, password: 'x' }, dataDir, batch: { maxDelayMs: 100 }, ...extra });
  return { ...parsed, file: 'agent.yaml', dataDir, broker: { ...parsed.broker, username: 'north-1', password: 'x' } };
}
const memorySpool = () => new MemorySpool({ maxBytes: 64 * 1024 * 1024, maxAgeMs: 86_400_000 });

describe('agent host metrics', () => {
  it('host samples every interval, rates from the second, and check statistics in agent_health', async () => {
    dir = makeTempDir('agent-host');
    const silentSnmpPort = await freeUdpPort('127.0.0.1');
    const config = await agentConfig(dir.path, {
      host: { intervalSeconds: 5 },
      devices: [
        { name: 'gateway', address: '127.0.0.1', checks: { ping: { intervalSeconds: 1, probes: 1 } } },
        { name: 'no-snmp', address: '127.0.0.1', checks: { snmp: { intervalSeconds: 1, port: silentSnmpPort, timeoutSeconds: 0.2, retries: 0 } } },
      ],
    });
    const spool = memorySpool();
    agent = startAgent(config, { log: createLogger('test', 'silent'), checks: createCheckSet(), spool, healthIntervalMs: 1_000 });

    const stored = (): Sample[] =>
      spool.next(10_000).flatMap((b) => {
        const decoded = decodeMessage(samplesBatchSchema, b.payload);
        if (!decoded.ok) throw new Error(decoded.reason);
        return decoded.value.samples;
      });
    const of = (m: string) => stored().filter((s) => s.measurement === m);
    await waitFor(() => of('agent_host').length >= 2, { timeoutMs: 30_000, what: 'two agent_host readings' });

    const all = stored();
    for (const s of all) expect(sampleSchema.safeParse(s).error, JSON.stringify(s)).toBeUndefined();
    const [first, second] = of('agent_host');
    expect(second!.time - first!.time).toBeGreaterThanOrEqual(4_000);
    for (const host of [first!, second!]) {
      expect(host.tags).toEqual({ agent: 'north-1' });
      expect(host.fields.error).toBeUndefined();
      expect(host.fields.cpu_pct).toBeGreaterThanOrEqual(0);
      expect(host.fields.cpu_pct).toBeLessThanOrEqual(100);
      expect(host.fields.mem_used_pct).toBeGreaterThan(0);
      expect(host.fields.mem_used_pct).toBeLessThan(100);
      expect(Math.abs(Number(host.fields.uptime_s) - uptime())).toBeLessThan(60);
    }
    const root = of('agent_host_disk').find((s) => s.tags.mount === '/');
    expect(root?.fields.used_pct).toBeGreaterThan(0);
    expect(root?.fields.used_pct).toBeLessThanOrEqual(100);
    // Interfaces other than loopback, if this machine has any; rates appear on the second reading.
    const nets = of('agent_host_interface');
    expect(nets.every((s) => s.tags.interface !== 'lo')).toBe(true);
    const later = nets.filter((s) => s.time === second!.time);
    if (nets.length > 0) expect(later.length).toBeGreaterThan(0);
    // Rates need an interface's reading before: one that appeared between the two readings (other tests
    // running beside this one create veth pairs) has its rates from the next reading on.
    const before = new Set(nets.filter((s) => s.time === first!.time).map((s) => s.tags.interface));
    const both = later.filter((s) => before.has(s.tags.interface));
    if (before.size > 0) expect(both.length).toBeGreaterThan(0);
    for (const net of both) expect(net.fields.in_bps).toBeGreaterThanOrEqual(0);
    for (const net of later.filter((s) => !before.has(s.tags.interface))) expect(net.fields.in_bps).toBeUndefined();

    const health = agent.health().fields;
    expect(health).toMatchObject({ ping_in_progress: expect.any(Number), snmp_in_progress: expect.any(Number) });
    expect(health.ping_runs).toBeGreaterThanOrEqual(2);
    expect(health.snmp_timeouts).toBeGreaterThanOrEqual(2);
    expect(health.snmp_errors).toBe(0);
    // Published health samples carry the per-interval durations.
    expect(of('agent_health').some((s) => typeof s.fields.ping_ms_max === 'number' && typeof s.fields.snmp_ms_avg === 'number')).toBe(true);
  }, 60_000);

  it('host: { enabled: false } produces none', async () => {
    dir = makeTempDir('agent-nohost');
    const config = await agentConfig(dir.path, { host: { enabled: false } });
    agent = startAgent(config, { log: createLogger('test', 'silent'), checks: createCheckSet(), spool: memorySpool() });
    // Only the health job: no host job.
    expect(agent.scheduler.size).toBe(1);
  });
});
