import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRAP_FRESH_MS } from '../../collector/alerts/rules/rule.ts';
import { MemoryDispatcher } from '../../collector/alerts/testing.ts';
import { freeUdpPort, startSnmpsimEndpoints, waitFor, type SnmpsimEndpoints } from '../harness/index.ts';
import { startAlertRig, type AlertRig } from '../alerts/rig.ts';
import { startLine, type Line } from './link.ts';

/**
 * Traps while the school cannot reach the provider: the agent's line to the broker is cut (a relay that
 * drops its connections, test/traps/link.ts), real snmptrap traps go into the real agent's receiver, the
 * agent keeps polling, then the line comes back. The traps arrive after the cut with the time the agent received them, once each; a late trap is
 * judged like a poll (the rule's own `for`), so the UPS still on battery pages, while the uplink whose
 * linkDown a later poll already saw recovered pages no one.
 */
const run = promisify(execFile);
const NET = '127.0.89';
const dispatcher = new MemoryDispatcher();
let sim: SnmpsimEndpoints;
let rig: AlertRig;
let trapPort: number;
let line: Line | undefined;
/** The switch's poll interval: several polls fit in the cut. */
const POLL_S = 5;
/**
 * How long the line stays cut after the traps: the traps then reach the collector older than
 * TRAP_FRESH_MS (so they are judged as late, like a poll), with 7 s to spare.
 */
const CUT_MS = TRAP_FRESH_MS + 7_000;

beforeAll(async () => {
  sim = await startSnmpsimEndpoints([
    { host: `${NET}.1`, recording: 'ios_2960x' },
    { host: `${NET}.2`, recording: 'apc_smt750x-nmc2' },
  ]);
  trapPort = await freeUdpPort('127.0.0.1');
  const snmp = { community: sim.community, port: sim.port, timeoutSeconds: 5, retries: 1 };
  rig = await startAlertRig({
    devices: () => [
      // The switch is polled during the cut; the UPS not again for an hour.
      { name: 'core', address: `${NET}.1`, role: 'core-switch', checks: { snmp: { ...snmp, intervalSeconds: POLL_S } } },
      { name: 'office-ups', address: `${NET}.2`, role: 'ups', checks: { snmp: { ...snmp, intervalSeconds: 3_600 } } },
    ],
    alerts: {
      contacts: [{ name: 'Alice', email: 'alice@provider.example' }],
      rules: { 'ups-on-battery': { for: '5s' }, 'interface-down': { for: '5s' }, 'site-offline': { for: '10m' } },
    },
    site: { alerts: { uplinks: { core: ['Gi1/0/1'] } } },
    agent: { traps: { address: '127.0.0.1', port: trapPort } },
    extras: () => ({ dispatcher }),
    agentBrokerPort: async (brokerPort) => (line = await startLine(brokerPort)).port,
  });
  await waitFor(async () => (await rig.select(`SELECT count(on_battery) FROM ups`)).length > 0 && (await rig.select(`SELECT count(oper_status) FROM interface WHERE "interface" = 'Gi1/0/1'`)).length > 0, {
    timeoutMs: 180_000,
    what: 'the first SNMP poll of both devices',
    intervalMs: 500,
    service: rig.agent,
  });
}, 300_000);
afterAll(async () => {
  await rig?.stop();
  await line?.close();
  await sim?.stop();
});

const trap = (from: string, args: string[]) => run('snmptrap', [`--clientaddr=${from}`, ...args.slice(0, 4), `127.0.0.1:${trapPort}`, ...args.slice(4)]);

describe('a trap during a broken link', () => {
  it('arrives after the cut with its received-at time, once; the UPS pages, the uplink a later poll saw up does not', async () => {
    line!.cut();
    const cutAt = Date.now();
    await trap(`${NET}.2`, ['-v', '1', '-c', 'public', '1.3.6.1.4.1.318', `${NET}.2`, '6', '5', '']);
    const upsTrapAt = Date.now();
    await trap(`${NET}.1`, ['-v', '2c', '-c', 'public', '', '1.3.6.1.6.3.1.1.5.3', '1.3.6.1.2.1.2.2.1.1.10101', 'i', '10101', '1.3.6.1.2.1.2.2.1.7.10101', 'i', '1', '1.3.6.1.2.1.2.2.1.8.10101', 'i', '2']);
    const linkTrapAt = Date.now();
    // Long enough for the agent to poll the switch again (several times) while the link is down, and for
    // the traps to be late when they arrive.
    await new Promise((r) => setTimeout(r, CUT_MS));
    line!.restore();
    const restoredAt = Date.now();

    await waitFor(async () => (await rig.select(`SELECT count("state") FROM snmp_trap`))[0]?.[1] === 2, { timeoutMs: 120_000, what: 'both traps stored', intervalMs: 500, service: rig.agent });
    const rows = (await rig.select(`SELECT "event", device, "state" FROM snmp_trap`)) as [string, string, string, string][];
    expect(rows.map((r) => [r[2], r[1], r[3]])).toEqual([
      ['office-ups', 'ups-on-battery', 'fault'],
      ['core', 'link-down', 'fault'],
    ]);
    // Stored at the time the agent received each, inside the cut, not when it arrived. The agent stamps a
    // trap when its event loop reads it: under CI's load that was once 1.2 s after snmptrap returned, so
    // the bound is generous; what tells the two apart is the distance to the restore, below.
    const times = rows.map((r) => Date.parse(r[0]));
    expect(times[0]).toBeGreaterThanOrEqual(cutAt - 1_000);
    expect(times[0]).toBeLessThanOrEqual(upsTrapAt + 5_000);
    expect(times[1]).toBeLessThanOrEqual(linkTrapAt + 5_000);
    expect(restoredAt - times[1]!).toBeGreaterThan(TRAP_FRESH_MS + 5_000);

    // The UPS: nothing newer says otherwise, so it pages after the rule's own for (5 s), naming the trap's time.
    await waitFor(() => dispatcher.kinds().includes('firing:office-ups:Alice'), { timeoutMs: 60_000, what: 'the UPS alert', intervalMs: 200 });
    const ups = rig.collector.alerts.alerts().find((a) => a.device === 'office-ups' && a.rule === 'ups-on-battery')!;
    const when = new Date(times[0]!).toISOString().slice(11, 19);
    expect(ups.facts.find((f) => f.label === 'Trap')?.value).toBe(`received by the agent at ${when} UTC, delivered late (a broken link)`);
    // The uplink: the switch's polls after the linkDown said it was up, so it never pages.
    await new Promise((r) => setTimeout(r, 10_000));
    expect(dispatcher.kinds().filter((k) => k.includes(':core:'))).toEqual([]);
    expect(rig.collector.alerts.alerts().filter((a) => a.device === 'core' && a.state === 'firing')).toEqual([]);

    // Once: a collector restart (write-ahead log replay, the agent reconnecting) stores nothing twice.
    await rig.restartCollector();
    await new Promise((r) => setTimeout(r, 5_000));
    expect((await rig.select(`SELECT count("state") FROM snmp_trap`))[0]?.[1]).toBe(2);
  }, 400_000);
});
