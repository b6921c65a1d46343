import type { Logger } from '../../contract/index.ts';
import { COLLECTOR_SITE } from '../ingest/report.ts';
import type { LineSink } from '../ingest/ingest.ts';
import { linesToChunk, toLine } from '../storage/line.ts';
import type { BrokerStats } from './hooks.ts';

/**
 * The broker's refusals as a `collector_broker` point every interval (site `_collector`): what it refused
 * before anyone logged in (connections, packets, logins) cannot be filed under an agent or a school. Counters
 * are totals since the collector started (use InfluxQL's non_negative_difference for rates); connections are
 * what is held at that moment. A logged-in agent's refusals are counted per agent in `collector_ingest` too.
 */
export const BROKER_FIELDS = {
  connections_refused: 'connectionsRefused',
  packets_refused: 'packetsRefused',
  publishes_slowed: 'publishesSlowed',
  publishes_denied: 'publishDenied',
  subscribes_denied: 'subscribeDenied',
  messages_too_large: 'oversizeRejected',
  login_failures: 'authFailures',
  logins_delayed: 'authDelayed',
  revoked_disconnects: 'revokedDisconnects',
} as const satisfies Record<string, keyof BrokerStats>;

export function brokerLine(stats: Readonly<BrokerStats>, held: { total: number; unauthenticated: number }, time: number): string {
  const fields: Record<string, number> = { connections: held.total, connections_before_login: held.unauthenticated };
  for (const [field, key] of Object.entries(BROKER_FIELDS)) fields[field] = stats[key];
  return toLine({ measurement: 'collector_broker', tags: {}, fields, time }, COLLECTOR_SITE);
}

export function startBrokerReport(o: {
  stats: Readonly<BrokerStats>;
  connections: () => { total: number; unauthenticated: number };
  writer: LineSink;
  log: Logger;
  now: () => number;
  intervalMs: number;
}): { report(): void; stop(): void } {
  const report = (): void => {
    try {
      o.writer.write(linesToChunk([brokerLine(o.stats, o.connections(), o.now())]));
    } catch (err) {
      o.log.error({ err: (err as Error).message }, 'collector_broker counts not written');
    }
  };
  const timer = setInterval(report, o.intervalMs);
  timer.unref();
  return {
    report,
    stop() {
      clearInterval(timer);
      report();
    },
  };
}
