import { agentStatusSchema, decodeMessage, type AgentStatus, type Logger } from '../../contract/index.ts';
import type { LineSink } from '../ingest/index.ts';
import { toLine } from '../storage/line.ts';

export interface AgentStatusStats {
  received: number;
  rejected: number;
  online: Record<string, boolean>;
}

/**
 * Agent status messages (retained, offline via the MQTT will) become `agent_status` points, stamped with
 * the time the collector heard them: a will carries the time its connection opened, not when it died.
 */
export function createStatusHandler(o: { writer: LineSink; log: Logger; now: () => number; onStatus?: (status: AgentStatus) => void }) {
  const stats: AgentStatusStats = { received: 0, rejected: 0, online: {} };
  return {
    stats: () => stats,
    handle(payload: Buffer, from: { agent: string; site: string }): void {
      const decoded = decodeMessage(agentStatusSchema, payload);
      const reason = !decoded.ok
        ? decoded.reason
        : decoded.value.agent !== from.agent || decoded.value.site !== from.site
          ? `status names agent "${decoded.value.agent}" of site "${decoded.value.site}"`
          : undefined;
      if (!decoded.ok || reason !== undefined) {
        stats.rejected++;
        o.log.warn({ ...from, reason }, 'agent status rejected');
        return;
      }
      const status = decoded.value;
      stats.received++;
      const online = status.state === 'online';
      if (stats.online[from.agent] !== online) o.log.info({ ...from, state: status.state }, `agent ${status.state}`);
      stats.online[from.agent] = online;
      const line = toLine(
        {
          measurement: 'agent_status',
          tags: { agent: status.agent },
          fields: {
            online: online ? 1 : 0,
            uptime_s: status.uptimeSeconds,
            version: status.version,
            ...(status.configRevision !== undefined ? { config_revision: status.configRevision } : {}),
            ...(status.spool !== undefined
              ? {
                  spool_batches: status.spool.batches,
                  spool_samples: status.spool.samples,
                  spool_bytes: status.spool.bytes,
                  spool_dropped_batches: status.spool.droppedBatches,
                  spool_dropped_samples: status.spool.droppedSamples,
                  // Epoch ms of the oldest waiting batch: how far behind the school's data is on reconnect.
                  ...(status.spool.oldestAt !== undefined ? { spool_oldest_at: status.spool.oldestAt } : {}),
                }
              : {}),
          },
          time: o.now(),
        },
        status.site,
      );
      o.writer.write({ text: line, points: 1 });
      o.onStatus?.(status);
    },
  };
}
