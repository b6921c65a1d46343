import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** A phase ended at `at` (ms since the epoch); it began where the one before it ended. */
export interface PhaseMark {
  phase: string;
  at: number;
}

export interface PhaseVitals {
  /** `collector vitals` lines in the phase. */
  intervals: number;
  eventLoopMaxMs: number;
  /** When the worst stall's interval was logged (ISO). */
  worstAt?: string;
  eventLoopP99MaxMs: number;
  heapUsedMaxMiB: number;
  pendingPointsMax: number;
  walMaxMiB: number;
  /** aedes closed the agent: nothing read from it within 1.5 × keepalive. */
  keepaliveTimeouts: number;
  /** Connections closed on an error, by the error's message. */
  clientErrors: Record<string, number>;
  agentsDisconnected: number;
}

const read = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

const empty = (): PhaseVitals => ({ intervals: 0, eventLoopMaxMs: 0, eventLoopP99MaxMs: 0, heapUsedMaxMiB: 0, pendingPointsMax: 0, walMaxMiB: 0, keepaliveTimeouts: 0, clientErrors: {}, agentsDisconnected: 0 });

/**
 * The collector's own account of each phase, from its log (pino JSON lines): its vitals (collector/vitals/),
 * and the connections it closed and why. A line belongs to the first phase that ended after it; lines after
 * the last mark go to "after".
 */
export function collectorLogByPhase(text: string, marks: readonly PhaseMark[]): Record<string, PhaseVitals> {
  const out: Record<string, PhaseVitals> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    const msg = /"msg":"([^"]*)"/.exec(line)?.[1];
    if (msg !== 'collector vitals' && msg !== 'client connection closed on error' && msg !== 'agent disconnected' && !msg?.startsWith('agent connection closed: nothing read')) continue;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const time = typeof entry['time'] === 'number' ? entry['time'] : Date.parse(String(entry['time']));
    const phase = marks.find((m) => time <= m.at)?.phase ?? 'after';
    const p = (out[phase] ??= empty());
    if (msg === 'collector vitals') {
      const delay = entry['eventLoopDelayMs'] as { p99: number; max: number };
      p.intervals++;
      if (delay.max > p.eventLoopMaxMs) {
        p.eventLoopMaxMs = delay.max;
        p.worstAt = new Date(time).toISOString();
      }
      p.eventLoopP99MaxMs = Math.max(p.eventLoopP99MaxMs, delay.p99);
      p.heapUsedMaxMiB = Math.max(p.heapUsedMaxMiB, Number(entry['heapUsedMiB']));
      p.pendingPointsMax = Math.max(p.pendingPointsMax, Number(entry['pendingPoints']));
      p.walMaxMiB = Math.max(p.walMaxMiB, Number(entry['walMiB']));
    } else if (msg === 'client connection closed on error') {
      const err = String(entry['err']).slice(0, 80);
      p.clientErrors[err] = (p.clientErrors[err] ?? 0) + 1;
    } else if (msg === 'agent disconnected') p.agentsDisconnected++;
    else p.keepaliveTimeouts++;
  }
  return out;
}

export const collectorLogOf = (path: string, marks: readonly PhaseMark[]) => collectorLogByPhase(read(path), marks);

/** pino's own fields, left out of a round's record. */
const PINO_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'component']);

/**
 * The collector's rollup rounds (collector/rollups/): every info line of component `rollups` whose message
 * says a round ended, with its own fields (hour, schools, seconds, …) and when it was logged. Read by
 * field name rather than a fixed shape, so a field the collector adds shows up in the results unchanged.
 */
export function rollupRoundsIn(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{') || !line.includes('"rollups"')) continue;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (entry['component'] !== 'rollups' || !/rolled up|round/i.test(String(entry['msg']))) continue;
    const time = typeof entry['time'] === 'number' ? new Date(entry['time']).toISOString() : String(entry['time']);
    out.push({ at: time, msg: entry['msg'], ...Object.fromEntries(Object.entries(entry).filter(([k]) => !PINO_FIELDS.has(k))) });
  }
  return out;
}

export const rollupRoundsOf = (path: string) => rollupRoundsIn(read(path));

/** The late backlog's re-rolls (collector/rollups/late-backlog.ts) logged at or after `since`. */
export interface LateRerolls {
  schools: number;
  /** When the last one was logged (ms since the epoch); undefined: none. */
  lastAt?: number;
  /** Their own durations: sum and longest. */
  msTotal: number;
  msMax: number;
}

/** Each `late backlog rolled up` line at or after `since` (pure; see rollupRoundsIn for the shape). */
export function lateRerollsIn(text: string, since: number): LateRerolls {
  const out: LateRerolls = { schools: 0, msTotal: 0, msMax: 0 };
  for (const line of text.split('\n')) {
    if (!line.startsWith('{') || !line.includes('late backlog rolled up')) continue;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const time = entry['time'];
    if (entry['msg'] !== 'late backlog rolled up' || typeof time !== 'number' || time < since) continue;
    const ms = typeof entry['ms'] === 'number' ? entry['ms'] : 0;
    out.schools++;
    out.lastAt = Math.max(out.lastAt ?? 0, time);
    out.msTotal += ms;
    out.msMax = Math.max(out.msMax, ms);
  }
  return out;
}

export const lateRerollsOf = (path: string, since: number) => lateRerollsIn(read(path), since);

/** Warning and error lines of a pino log (level ≥ 40), counted by message, with the first of each. */
export function warningsOf(path: string): Record<string, { count: number; first: string }> {
  const out: Record<string, { count: number; first: string }> = {};
  for (const line of read(path).split('\n')) {
    if (!/"level":(4|5|6)0/.test(line)) continue;
    const msg = /"msg":"([^"]*)"/.exec(line)?.[1] ?? '?';
    const seen = (out[msg] ??= { count: 0, first: line.slice(0, 400) });
    seen.count++;
  }
  return out;
}

/** Copies these logs (those that exist) into `dir`, before their temp dirs go. */
export function keepLogs(dir: string, paths: readonly (string | undefined)[], say: (line: string) => void): void {
  mkdirSync(dir, { recursive: true });
  for (const path of paths) {
    if (path === undefined || !existsSync(path)) continue;
    copyFileSync(path, join(dir, basename(path)));
    say(`kept ${path} as ${join(dir, basename(path))}`);
  }
}
