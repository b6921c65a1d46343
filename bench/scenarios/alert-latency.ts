import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { startSmtpReceiver } from '../../collector/notify/testing/smtp-receiver.ts';
import { freeTcpPort, waitFor } from '../../test/harness/index.ts';
import { SITE, startAlertRig } from '../../test/alerts/rig.ts';
import { describeMachine } from '../support/machine.ts';
import { quietFleet } from './quiet-fleet.ts';

/**
 * `npm run bench alert-latency [-- --rounds N --interval S --for S]`: a device stops answering (its address
 * is taken off an interface inside a network namespace of our own) → how long until the alert email is in
 * a real SMTP server's inbox. Printed beside the budget the issue sets: the rule's pending time plus two
 * poll intervals. Real agent (ping), collector (engine, durable dispatcher, email channel), InfluxDB.
 * Beside it, the quiet side: a healthy fleet of real recordings polled for `--fleet-rounds` polls two
 * minutes apart (manual clock), counting alerts its data does not justify (target 0).
 */
export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { rounds: { type: 'string' }, interval: { type: 'string' }, for: { type: 'string' }, 'fleet-rounds': { type: 'string' } } });
  const rounds = Number(values.rounds ?? 3);
  const intervalS = Number(values.interval ?? 2);
  const forS = Number(values.for ?? 5);
  const fleetRounds = Number(values['fleet-rounds'] ?? 11);
  for (const [name, v] of [['rounds', rounds], ['interval', intervalS], ['for', forS], ['fleet-rounds', fleetRounds]] as const) {
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name}: expected a positive number, got "${v}"`);
  }
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const machine = describeMachine();
  say(`Node ${machine.node}, ${machine.cpu} × ${machine.cores} cores, Linux ${machine.kernel}`);

  const smtp = await startSmtpReceiver({ port: await freeTcpPort() });
  let address = '';
  const rig = await startAlertRig({
    devices: (dead) => {
      address = `${dead.address.split('.').slice(0, 3).join('.')}.9`;
      return [
        { name: 'router', address: '127.0.0.2', role: 'internet', checks: { ping: { intervalSeconds: intervalS, probes: 1, timeoutSeconds: 0.5 } } },
        { name: 'core-switch', address, role: 'core-switch', parent: 'router', checks: { ping: { intervalSeconds: intervalS, probes: 1, timeoutSeconds: 0.5 } } },
      ];
    },
    alerts: {
      evaluateEvery: '200ms',
      contacts: [{ name: 'On call', email: 'oncall@provider.example' }],
      rules: { 'device-down': { for: `${forS * 1000}ms` } },
      // Every round is a new outage of the same device; here that is the point, not flapping.
      flap: { changes: 100 },
    },
    collector: {
      smtp: { host: '127.0.0.1', port: smtp.port, from: 'Hallmonitor <noc@provider.example>' },
      notify: { channels: [{ id: 'email', type: 'email' }], retry: { initialSeconds: 0.5, maxSeconds: 2, giveUpHours: 1 } },
    },
  });
  // The namespace's own end of the veth: giving it the device's address makes the device answer.
  const nsIf = execFileSync('ip', ['-n', rig.dead.namespace, '-o', 'link', 'show'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^\d+: ([^@:]+)/.exec(l)?.[1])
    .find((n) => n !== undefined && n !== 'lo')!;
  const answer = (on: boolean) => execFileSync('ip', ['-n', rig.dead.namespace, 'addr', on ? 'add' : 'del', `${address}/32`, 'dev', nsIf]);

  const results: number[] = [];
  try {
    answer(true);
    const state = () => rig.collector.alerts.deviceStates(SITE).get('core-switch');
    for (let round = 1; round <= rounds; round++) {
      await waitFor(() => state() === 'up', { timeoutMs: 60_000, what: 'the core switch answering', intervalMs: 50 });
      const before = smtp.messages.length;
      const stoppedAt = Date.now();
      answer(false);
      await waitFor(() => smtp.messages.slice(before).some((m) => m.headers.get('x-hallmonitor-kind') === 'firing'), { timeoutMs: 120_000, what: 'the alert email', intervalMs: 10 });
      const ms = Date.now() - stoppedAt;
      results.push(ms);
      say(`round ${round}: device stopped answering → email in the inbox in ${(ms / 1000).toFixed(2)} s`);
      const sent = smtp.messages.length;
      answer(true);
      await waitFor(() => smtp.messages.length > sent, { timeoutMs: 60_000, what: 'the resolved email', intervalMs: 50 });
    }
  } finally {
    await rig.stop();
    await smtp.stop();
  }
  const budget = forS + 2 * intervalS;
  const mean = results.reduce((a, b) => a + b, 0) / results.length / 1000;
  say('');
  say(`| pending time | poll interval | budget (for + 2 polls) | mean | worst | mean / budget |`);
  say(`|---|---|---|---|---|---|`);
  say(`| ${forS} s | ${intervalS} s | ${budget} s | ${mean.toFixed(2)} s | ${(Math.max(...results) / 1000).toFixed(2)} s | ${(mean / budget).toFixed(2)} |`);

  say('');
  const quiet = await quietFleet(fleetRounds);
  say(`| quiet fleet | devices | polls | minutes (manual clock) | alerts raised | false alerts | missed | run time |`);
  say(`|---|---|---|---|---|---|---|---|`);
  say(`| ../shared/snmprec through snmpsimd | ${quiet.devices} | ${quiet.rounds} | ${quiet.minutes} | ${quiet.raised} | ${quiet.falseAlerts.length} | ${quiet.missed.length} | ${quiet.seconds.toFixed(1)} s |`);
  for (const f of quiet.falseAlerts) say(`false alert: ${f}`);
  for (const m of quiet.missed) say(`missed: ${m}`);
}
