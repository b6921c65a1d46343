import { DESERVED } from '../../test/quiet-fleet/deserved.ts';
import { runFleet, sharedRecordings } from '../../test/quiet-fleet/fleet.ts';
import { startSnmpsim } from '../../test/harness/index.ts';

export interface QuietFleetFigures {
  devices: number;
  rounds: number;
  minutes: number;
  raised: number;
  falseAlerts: string[];
  missed: string[];
  seconds: number;
}

/**
 * The quiet side of alert latency: every recording in ../shared/snmprec served by snmpsimd (real SNMP on
 * loopback), polled through the real check, ingest and engine with the built-in rules for `rounds` polls
 * on a manual clock. Counts alerts the recordings do not justify (target 0).
 */
export async function quietFleet(rounds: number, intervalSeconds = 120): Promise<QuietFleetFigures> {
  const devices = sharedRecordings();
  const started = Date.now();
  const sim = await startSnmpsim({ recordings: devices.map((d) => d.recording), requestLog: false, readyTimeoutMs: 120_000 });
  try {
    const result = await runFleet({ devices, rounds, intervalSeconds, snmp: { host: sim.host, port: sim.port }, start: Date.UTC(2026, 10, 24, 9, 0, 0) });
    const raised = result.raised.map((r) => r.key);
    const expected = Object.keys(DESERVED).filter((k) => devices.some((d) => k.startsWith(`${d.recording} `)));
    return {
      devices: result.devices,
      rounds,
      minutes: (rounds * intervalSeconds) / 60,
      raised: raised.length,
      falseAlerts: raised.filter((k) => !(k in DESERVED)),
      missed: expected.filter((k) => !raised.includes(k)),
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await sim.stop();
  }
}

/** `npm run bench -- quiet-fleet [--rounds N]`: the quiet side alone (alert-latency runs it too). */
export async function main(args: string[]): Promise<void> {
  const i = args.indexOf('--rounds');
  const rounds = i >= 0 ? Number(args[i + 1]) : 11;
  if (!Number.isInteger(rounds) || rounds <= 0) throw new Error(`--rounds: expected a positive whole number, got "${args[i + 1]}"`);
  const q = await quietFleet(rounds);
  process.stdout.write(`quiet fleet: ${q.devices} devices, ${q.rounds} polls (${q.minutes} min), ${q.raised} alerts raised, ${q.falseAlerts.length} false, ${q.missed.length} missed, ${q.seconds.toFixed(1)} s\n`);
  for (const f of q.falseAlerts) process.stdout.write(`false alert: ${f}\n`);
}
