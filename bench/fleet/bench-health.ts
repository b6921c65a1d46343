import type { ProcessHealth, SchoolBenchRecord } from './agents-protocol.ts';

/**
 * Whether the bench's own agents kept up. The figures of a run whose agents' processes were short of CPU, or
 * whose event loops stalled, measure the bench, not the collector: such a run is "bench-limited", and an
 * alert at a school whose simulated agent fell silent is the bench's doing, not the collector's.
 */
export interface BenchBudget {
  /** One agents' process's CPU (from /proc), % of one core. */
  cpuPercentOfOneCore: number;
  eventLoopDelayP99Ms: number;
  /** Scheduled poll → built, p99. */
  lateP99Ms: number;
}

/** Generous on purpose: a real agent is a whole box per school; a bench process that needs more than this is the limit. */
export const BENCH_BUDGET: BenchBudget = { cpuPercentOfOneCore: 60, eventLoopDelayP99Ms: 250, lateP99Ms: 1_000 };

export type ProcessFigures = ProcessHealth & { pid: number; cpuPercentOfOneCore: number };

export function judgeBench(processes: readonly ProcessFigures[], budget: BenchBudget = BENCH_BUDGET): { limited: boolean; reasons: string[]; connectionsLost: string[] } {
  const reasons: string[] = [];
  for (const p of processes) {
    if (p.cpuPercentOfOneCore > budget.cpuPercentOfOneCore) reasons.push(`agents' process ${p.pid}: CPU ${p.cpuPercentOfOneCore} % of a core > ${budget.cpuPercentOfOneCore} %`);
    if (p.eventLoopDelayMs.p99 > budget.eventLoopDelayP99Ms) reasons.push(`agents' process ${p.pid}: event-loop delay p99 ${p.eventLoopDelayMs.p99} ms > ${budget.eventLoopDelayP99Ms} ms`);
    if (p.lateMs.p99 > budget.lateP99Ms) reasons.push(`agents' process ${p.pid}: polls late by p99 ${p.lateMs.p99} ms > ${budget.lateP99Ms} ms`);
  }
  // Connections lost while the process kept up are the collector's side (a PINGRESP or PUBACK that did not
  // come in time: mqtt.js ends the connection, as the real agent's does): reported, not the bench's limit.
  const lost = processes.reduce((n, p) => n + p.unexpectedCloses, 0);
  const connectionsLost = lost === 0 ? [] : [`${lost} connections closed that the bench did not cut: ${JSON.stringify(Object.assign({}, ...processes.map((p) => p.closeReasons)))}`];
  return { limited: reasons.length > 0, reasons, connectionsLost };
}

/**
 * Why the bench, not the collector, may have caused an alert (or kept one from firing) at a school, from
 * what its simulated agent did in the window; undefined if it behaved as a real agent would. A site is
 * offline to the collector after a heartbeat timeout without a message; a device's down poll counts only
 * once it is measured. A connection the broker's side let drop (keepalive, PUBACK) is not the bench's: the
 * simulated agent reconnects 2 s later, as the real one does, and judgeBench reports it.
 */
export function benchCause(r: SchoolBenchRecord | undefined, pollMs: number, heartbeatTimeoutMs: number): string | undefined {
  if (r === undefined) return 'no record of the school';
  if (r.maxPollGapMs > heartbeatTimeoutMs / 2) return `${Math.round(r.maxPollGapMs / 1000)} s between two of its polls (heartbeat timeout ${heartbeatTimeoutMs / 1000} s)`;
  if (r.maxLateMs > pollMs / 2) return `a poll ${Math.round(r.maxLateMs / 1000)} s late`;
  return undefined;
}
