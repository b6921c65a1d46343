import { WIRE_VERSION, decodeMessage, encodeMessage, samplesBatchSchema, type SamplesBatch } from '../../contract/index.ts';
import { buildFleet, chunk, fleetPoints, samplesPerPoll, type FleetShape } from './fleet.ts';
import { lineBodies, sampleLine } from './line-protocol.ts';

export interface WorkloadParams {
  /** Aimed-at points; rounded to whole polls of every site. */
  points: number;
  agents: number;
  /** Samples per MQTT message (the agent's `batch.maxSamples` default is 1,000). */
  messageSamples: number;
  /** Points per /write body of the reference. */
  writeBatch: number;
}

/** The same points twice over: as each agent's encoded messages, and as line-protocol bodies. */
export interface Workload {
  shape: FleetShape;
  total: number;
  agents: { agent: string; site: string; messages: Buffer[] }[];
  bodies: string[];
}

/** One school: 6 SNMP devices of 16 ports and 4 ping-only devices, polled once a minute. */
const SCHOOL = { snmpDevices: 6, interfacesPerDevice: 16, pingOnlyDevices: 4, pollIntervalMs: 60_000 };

export function buildWorkload(p: WorkloadParams): Workload {
  const perPoll = samplesPerPoll({ ...SCHOOL, sites: 1, polls: 1, start: 0 });
  const polls = Math.max(1, Math.round(p.points / (p.agents * perPoll)));
  // Fixed, so every run writes the same points (each run into its own database).
  const shape: FleetShape = { ...SCHOOL, sites: p.agents, polls, start: tenDaysAgo() };
  const fleet = buildFleet(shape);
  const batches = fleet.map(({ agent, site, samples }) =>
    chunk(samples, p.messageSamples).map(
      (slice, seq): SamplesBatch => ({ v: WIRE_VERSION, agent, site, seq, sentAt: slice.at(-1)!.time + 1_000, samples: slice }),
    ),
  );
  const checked = decodeMessage(samplesBatchSchema, encodeMessage(batches[0]![0]!));
  if (!checked.ok) throw new Error(`bench batch fails the wire contract: ${checked.reason}`);
  // The reference writes the points in the order the collector would queue them: one message per agent in turn.
  const lines: string[] = [];
  for (let m = 0; m < Math.max(...batches.map((b) => b.length)); m++) {
    for (const agentBatches of batches) {
      const batch = agentBatches[m];
      if (batch) for (const s of batch.samples) lines.push(sampleLine(batch.site, s));
    }
  }
  return {
    shape,
    total: fleetPoints(shape),
    agents: fleet.map(({ agent, site }, i) => ({ agent, site, messages: batches[i]!.map((b) => encodeMessage(b)) })),
    bodies: lineBodies(lines, p.writeBatch),
  };
}

/** Inside the collector's raw retention (45 days by default): older points are refused by InfluxDB. */
function tenDaysAgo(): number {
  const day = 86_400_000;
  return Math.floor(Date.now() / day) * day - 10 * day;
}
