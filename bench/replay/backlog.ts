import { WIRE_VERSION, type Sample } from '../../contract/index.ts';
import { SqliteSpool } from '../../agent/spool/sqlite.ts';
import { buildFleet, samplesPerPoll, type FleetShape } from '../support/fleet.ts';
import { sampleLine } from '../support/line-protocol.ts';

/**
 * A 50-device school: 12 SNMP devices (core switch, switches, firewall, servers) of 16 ports on average and
 * 38 devices that are only pinged (access points, printers, UPSes...), each polled once a minute.
 */
export const SCHOOL_50: Omit<FleetShape, 'start' | 'polls'> = { sites: 1, snmpDevices: 12, interfacesPerDevice: 16, pingOnlyDevices: 38, pollIntervalMs: 60_000 };

export interface Backlog {
  site: string;
  agent: string;
  points: number;
  batches: number;
  /** The same points as line protocol, in the order the collector writes them. */
  lines: string[];
}

/**
 * Fills the agent's spool file as a 24-hour broadband outage would have: one batch per poll (the agent's
 * batcher flushes 1 s after a poll's samples, well under its 1,000-sample cap), with the original times.
 */
export function fillSpool(file: string, hours: number, now: number): Backlog {
  const polls = Math.round((hours * 3_600_000) / SCHOOL_50.pollIntervalMs);
  const shape: FleetShape = { ...SCHOOL_50, polls, start: now - polls * SCHOOL_50.pollIntervalMs };
  const [school] = buildFleet(shape);
  const { site, agent, samples } = school!;
  const perPoll = samplesPerPoll(shape);
  const spool = new SqliteSpool(file, { maxBytes: 2 ** 40, maxAgeMs: 14 * 86_400_000 });
  try {
    for (let poll = 0; poll < polls; poll++) {
      const slice: Sample[] = samples.slice(poll * perPoll, (poll + 1) * perPoll);
      spool.append({ v: WIRE_VERSION, agent, site, sentAt: slice.at(-1)!.time + 1_000, samples: slice });
    }
  } finally {
    spool.close();
  }
  return { site, agent, points: samples.length, batches: polls, lines: samples.map((s) => sampleLine(site, s)) };
}
