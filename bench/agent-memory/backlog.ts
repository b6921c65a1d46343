import { WIRE_VERSION } from '../../contract/index.ts';
import { SqliteSpool } from '../../agent/spool/sqlite.ts';
import { buildFleet, samplesPerPoll, type FleetShape } from '../support/fleet.ts';

/**
 * A 250-device school as the collector would receive it: 104 SNMP devices (24 ports on average, pinged
 * too) and 146 devices that are only pinged, polled once a minute: 2,746 samples, ~1.1 MB of messages a
 * poll. The agent's default spool bound (256 MiB) holds about four hours of it.
 */
const SCHOOL_250: Omit<FleetShape, 'start' | 'polls'> = { sites: 1, snmpDevices: 104, interfacesPerDevice: 24, pingOnlyDevices: 146, pollIntervalMs: 60_000 };
/** The agent's batcher sends at most this many samples in one batch (agent config `batch.maxSamples`). */
const BATCH_SAMPLES = 1_000;

export interface Backlog {
  batches: number;
  samples: number;
  bytes: number;
  hours: number;
}

/**
 * Fills `<dataDir>/spool.db` as an outage of the 250-device school would have, until its stored messages
 * reach `mib`: what a restarted agent replays first once its broker answers again.
 */
export function fillBacklog(file: string, agent: string, site: string, mib: number, now: number): Backlog {
  const perPoll = samplesPerPoll({ ...SCHOOL_250, polls: 1, start: 0 });
  const spool = new SqliteSpool(file, { maxBytes: 2 ** 40, maxAgeMs: 14 * 86_400_000 });
  let polls = 0;
  try {
    // Oldest first, ending a minute ago; a poll at a time, so the bench never holds the whole backlog.
    const totalPolls = Math.ceil((mib * 1_048_576) / (perPoll * 420));
    const start = now - totalPolls * SCHOOL_250.pollIntervalMs;
    while (spool.stats().bytes < mib * 1_048_576) {
      const [school] = buildFleet({ ...SCHOOL_250, polls: 1, start: start + polls * SCHOOL_250.pollIntervalMs }, polls + 1);
      const samples = school!.samples;
      for (let i = 0; i < samples.length; i += BATCH_SAMPLES) {
        const slice = samples.slice(i, i + BATCH_SAMPLES);
        spool.append({ v: WIRE_VERSION, agent, site, sentAt: slice.at(-1)!.time + 1_000, samples: slice });
      }
      polls++;
    }
    const stats = spool.stats();
    return { batches: stats.batches, samples: stats.samples, bytes: stats.bytes, hours: (polls * SCHOOL_250.pollIntervalMs) / 3_600_000 };
  } finally {
    spool.close();
  }
}
