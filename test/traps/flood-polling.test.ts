import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeUdpPort, startSnmpsimEndpoints, waitFor, type SnmpsimEndpoints } from '../harness/index.ts';
import { startAlertRig, type AlertRig } from '../alerts/rig.ts';

/**
 * A trap storm against the real agent while it polls: two simulated devices (snmpsimd on loopback) are
 * pinged and polled every 5 s into InfluxDB through the embedded broker and the collector; for about 25 s
 * one of them sends 500 traps a second (12,500 in all). The polls must keep their interval (gaps by sample
 * time, before and during the flood), the flood must be held to the per-device gate (burst + rate × seconds
 * stored, every other one counted as rate-limited in the agent's published health), and a trap from the
 * other device during the flood must still be stored.
 */
const run = promisify(execFile);
const NET = '127.0.123';
const INTERVAL_S = 5;
const RATE = 10;
const BURST = 50;
const FLOOD_S = 25;
const PER_ROUND = 50;
const ROUND_MS = 100; // 500 traps a second, in rounds so the kernel's socket buffer is not what drops them
const CHECKS = [
  ['ping', 'core'],
  ['ping', 'office-ups'],
  ['snmp', 'core'],
  ['snmp', 'office-ups'],
] as const;

let sim: SnmpsimEndpoints;
let rig: AlertRig;
let trapPort: number;

beforeAll(async () => {
  sim = await startSnmpsimEndpoints([
    { host: `${NET}.1`, recording: 'ios_2960x' },
    { host: `${NET}.2`, recording: 'apc_smt750x-nmc2' },
  ]);
  trapPort = await freeUdpPort('127.0.0.1');
  const snmp = { community: sim.community, port: sim.port, intervalSeconds: INTERVAL_S, timeoutSeconds: 2 };
  const ping = { intervalSeconds: INTERVAL_S, probes: 1, timeoutSeconds: 0.5 };
  rig = await startAlertRig({
    devices: () => [
      { name: 'core', address: `${NET}.1`, role: 'core-switch', checks: { ping, snmp } },
      { name: 'office-ups', address: `${NET}.2`, role: 'ups', checks: { ping, snmp } },
    ],
    agent: { traps: { address: '127.0.0.1', port: trapPort, ratePerSecond: RATE, burst: BURST } },
  });
  await waitFor(async () => (await rig.select(`SELECT count(up) FROM snmp WHERE device = 'office-ups'`)).length > 0 && (await rig.select(`SELECT count(up) FROM snmp WHERE device = 'core'`)).length > 0, {
    timeoutMs: 60_000,
    what: 'the first SNMP poll of both devices',
    intervalMs: 200,
  });
}, 120_000);
afterAll(async () => {
  await rig?.stop();
  await sim?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const iso = (ms: number) => new Date(ms).toISOString();

/** The agent's CPU seconds so far (Linux /proc/<pid>/stat utime + stime, in clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

async function sampleTimes(measurement: string, device: string, from: number, to: number): Promise<number[]> {
  const rows = await rig.select(`SELECT "up" FROM "${measurement}" WHERE "device" = '${device}' AND time >= '${iso(from)}' AND time < '${iso(to)}'`);
  return rows.map((r) => Date.parse(r[0] as string)).sort((a, b) => a - b);
}

/** Each gap between consecutive samples, in seconds, including the edges of the window (so a missed first or last one shows). */
function gaps(times: number[], from: number, to: number): number[] {
  const edges = [from, ...times, to];
  return edges.slice(1).map((t, i) => (t - edges[i]!) / 1000);
}

type TrapHealth = Record<'traps_received' | 'traps_stored' | 'traps_rate_limited' | 'traps_refused' | 'traps_unreadable' | 'traps_unknown_source', number>;

async function healthAfter(at: number): Promise<TrapHealth> {
  let fields: TrapHealth | undefined;
  await waitFor(
    async () => {
      const [result] = await rig.influx.query(`SELECT * FROM agent_health WHERE time > '${iso(at)}' ORDER BY time ASC LIMIT 1`, 'hallmonitor_alerts');
      const series = result?.series?.[0];
      if (series === undefined) return false;
      fields = Object.fromEntries(series.columns.map((c, i) => [c, series.values[0]![i]])) as TrapHealth;
      return true;
    },
    { timeoutMs: 75_000, what: 'the agent health published after the flood', intervalMs: 500 },
  );
  return fields!;
}

describe('a trap flood while the agent polls', () => {
  it('a flood of 10,000 traps is rate-limited without hurting polling', async () => {
    // Health is published once a minute: the flood is placed to end a little before the next one, so
    // that one carries the whole flood's counters.
    let health0 = 0;
    await waitFor(
      async () => {
        const [first] = await rig.select(`SELECT "traps_received" FROM agent_health ORDER BY time ASC LIMIT 1`);
        if (first !== undefined) health0 = Date.parse(first[0] as string);
        return first !== undefined;
      },
      { timeoutMs: 70_000, what: "the agent's first health sample", intervalMs: 200 },
    );
    let floodStart = health0 + 57_000 - FLOOD_S * 1000;
    while (floodStart - Date.now() < 20_000) floodStart += 60_000;
    const baselineStart = Date.now();
    const cpu0 = cpuSeconds(rig.agent!.pid);
    await sleep(floodStart - Date.now());
    const cpu1 = cpuSeconds(rig.agent!.pid);

    const snmp = createRequire(import.meta.url)('net-snmp');
    const session = snmp.createSession('127.0.0.1', sim.community, { trapPort, version: snmp.Version2c, sourceAddress: `${NET}.1` });
    let sent = 0;
    let legit: Promise<unknown> | undefined;
    const started = Date.now();
    for (let round = 0; Date.now() - started < FLOOD_S * 1000; round++) {
      for (let j = 0; j < PER_ROUND; j++) session.trap('1.3.6.1.6.3.1.1.5.3', [], () => {});
      sent += PER_ROUND;
      // Half way through, the other device's UPS goes on battery (RFC 1628 upsTrapOnBattery).
      if (legit === undefined && Date.now() - started > (FLOOD_S * 1000) / 2) {
        legit = run('snmptrap', [`--clientaddr=${NET}.2`, '-v', '2c', '-c', sim.community, `127.0.0.1:${trapPort}`, '', '1.3.6.1.2.1.33.2.1']);
      }
      await sleep(started + (round + 1) * ROUND_MS - Date.now());
    }
    const floodEnd = Date.now();
    session.close();
    await legit;
    const cpu2 = cpuSeconds(rig.agent!.pid);
    const health = await healthAfter(floodEnd + 500);
    // The last poll of the flood window is stored (batch 200 ms, flush 200 ms).
    await sleep(1_500);

    const floodSeconds = (floodEnd - started) / 1000;
    const report: string[] = [];
    for (const [measurement, device] of CHECKS) {
      const before = await sampleTimes(measurement, device, baselineStart, floodStart);
      const during = await sampleTimes(measurement, device, floodStart, floodEnd);
      const gapsBefore = gaps(before, baselineStart, floodStart);
      const gapsDuring = gaps(during, floodStart, floodEnd);
      report.push(`${measurement}/${device}: ${before.length} samples before (max gap ${Math.max(...gapsBefore).toFixed(2)} s), ${during.length} during (max gap ${Math.max(...gapsDuring).toFixed(2)} s)`);
      // None missed: at least one sample per whole interval of each window, and no gap beyond 1.5 intervals.
      expect(before.length, `${measurement}/${device} before`).toBeGreaterThanOrEqual(Math.floor((floodStart - baselineStart) / 1000 / INTERVAL_S));
      expect(during.length, `${measurement}/${device} during`).toBeGreaterThanOrEqual(Math.floor(floodSeconds / INTERVAL_S));
      for (const g of [...gapsBefore, ...gapsDuring]) expect(g, `${measurement}/${device} gap`).toBeLessThanOrEqual(INTERVAL_S * 1.5);
      // Polls kept answering: every sample of the window says up.
      const down = await rig.select(`SELECT "up" FROM "${measurement}" WHERE "device" = '${device}' AND "up" = 0 AND time >= '${iso(baselineStart)}' AND time < '${iso(floodEnd)}'`);
      expect(down, `${measurement}/${device} down samples`).toEqual([]);
    }

    const floodRows = await rig.select(`SELECT "state", "event" FROM snmp_trap WHERE "device" = 'core'`);
    const stored = floodRows.length;
    // The gate's own window: from the first stored trap to the last, as the agent received them (a loaded
    // agent reads the last queued datagrams a little after the sender stopped).
    const gateSeconds = stored > 1 ? (Date.parse(floodRows.at(-1)![0] as string) - Date.parse(floodRows[0]![0] as string)) / 1000 : 0;
    const ups = await rig.select(`SELECT "state", "event" FROM snmp_trap WHERE "device" = 'office-ups'`);
    const cpuQuiet = cpu0 !== undefined && cpu1 !== undefined ? (cpu1 - cpu0) / ((floodStart - baselineStart) / 1000) : undefined;
    const cpuFlood = cpu1 !== undefined && cpu2 !== undefined ? (cpu2 - cpu1) / floodSeconds : undefined;
    process.stdout.write(
      [
        ...report,
        `flood: ${sent} traps sent in ${floodSeconds.toFixed(1)} s; agent counted ${health.traps_received} received, ${health.traps_stored} passed the gate, ${health.traps_rate_limited} rate-limited; ${stored} from the flooding device stored in InfluxDB over ${gateSeconds.toFixed(2)} s (limit ${BURST} + ${RATE}/s × that)`,
        `agent CPU: ${cpuQuiet !== undefined ? (cpuQuiet * 100).toFixed(1) : '?'} % before, ${cpuFlood !== undefined ? (cpuFlood * 100).toFixed(1) : '?'} % during the flood`,
        '',
      ].join('\n'),
    );

    // The flood is held to the gate: burst + rate × seconds (one more for the refill of a partial second).
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThanOrEqual(BURST + Math.ceil(RATE * gateSeconds) + 1);
    expect(gateSeconds).toBeLessThan(floodSeconds + 5);
    expect(sent).toBeGreaterThanOrEqual(10_000);
    // UDP on loopback may lose a few to the socket buffer; the agent must see nearly all of them.
    expect(health.traps_received).toBeGreaterThan(sent * 0.9);
    expect(health.traps_rate_limited).toBeGreaterThan(sent * 0.9 - stored - 1);
    // Every datagram is accounted for: rate-limited ≈ received − passed (the legitimate trap passed too).
    expect(health.traps_rate_limited).toBe(health.traps_received - health.traps_stored - health.traps_refused - health.traps_unreadable - health.traps_unknown_source);
    expect(health.traps_stored).toBe(stored + ups.length);
    // The other device's trap, sent during the flood, arrived and was stored with its meaning.
    expect(ups.map((r) => r[2])).toEqual(['ups-on-battery']);
  }, 180_000);
});
