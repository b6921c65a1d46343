import { existsSync, readFileSync } from 'node:fs';

/**
 * Why each slow acknowledgement of the flood test was slow: the PUBACKs the test timed (wall-clock start and
 * duration) set beside what stall-probe.ts saw in the collector meanwhile. Each slow PUBACK's time is split
 * into causes, and the cause with the most time names it:
 * - `WAL fsync`: write-ahead-log commits (SQLite, fsynced on the collector's only thread);
 * - `collection`: garbage collections;
 * - `collector's own work`: event-loop stalls during which the collector used the CPU (less the above);
 * - `collector not on a core`: stalls during which it used none (the machine's other load);
 * - `outside the collector`: the rest (the test process's own scheduling, the network stack).
 */
export interface Ack {
  /** Wall-clock time the publish was sent (ms). */
  at: number;
  ms: number;
}

export interface ProbeEvent {
  kind: 'loop' | 'gc' | 'wal';
  /** Wall-clock time it ended (ms). */
  at: number;
  ms: number;
  cpuMs?: number;
  [key: string]: unknown;
}

export const CAUSES = ['WAL fsync', 'collection', "collector's own work", 'collector not on a core', 'outside the collector'] as const;
export type Cause = (typeof CAUSES)[number];

export function readProbe(file: string): ProbeEvent[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ProbeEvent);
}

/** The part of [from, to] that `e` covers, in ms. */
const overlap = (e: ProbeEvent, from: number, to: number): number => Math.max(0, Math.min(e.at, to) - Math.max(e.at - e.ms, from));

/** Milliseconds of one acknowledgement by cause (they add up to its duration). */
export function causesOf(ack: Ack, events: readonly ProbeEvent[]): Record<Cause, number> {
  const from = ack.at;
  const to = ack.at + ack.ms;
  let wal = 0;
  let gc = 0;
  let stalled = 0;
  let cpu = 0;
  for (const e of events) {
    const part = overlap(e, from, to);
    if (part === 0) continue;
    if (e.kind === 'wal' && e['op'] === 'append') wal += part;
    else if (e.kind === 'gc') gc += part;
    else if (e.kind === 'loop') {
      stalled += part;
      cpu += (e.cpuMs ?? 0) * (part / Math.max(1, e.ms));
    }
  }
  stalled = Math.min(stalled, ack.ms);
  const own = Math.max(0, Math.min(cpu, stalled) - gc);
  const offCore = Math.max(0, stalled - Math.min(cpu, stalled) - wal);
  const inside = Math.min(ack.ms, wal + gc + own + offCore);
  return { 'WAL fsync': wal, collection: gc, "collector's own work": own, 'collector not on a core': offCore, 'outside the collector': ack.ms - inside };
}

export function mainCause(causes: Record<Cause, number>): Cause {
  return CAUSES.reduce((best, c) => (causes[c] > causes[best] ? c : best), CAUSES[0]);
}

/** One line per acknowledgement slower than `overMs`, and a summary by main cause. */
export function slowAckReport(acks: readonly Ack[], events: readonly ProbeEvent[], overMs = 100): string[] {
  const slow = acks.filter((a) => a.ms > overMs);
  const byCause = new Map<Cause, { count: number; ms: number }>();
  const lines = slow.map((a) => {
    const causes = causesOf(a, events);
    const main = mainCause(causes);
    const entry = byCause.get(main) ?? { count: 0, ms: 0 };
    byCause.set(main, { count: entry.count + 1, ms: entry.ms + a.ms });
    const split = CAUSES.filter((c) => causes[c] >= 1).map((c) => `${c} ${causes[c].toFixed(0)}`).join(', ');
    return `  slow PUBACK ${a.ms.toFixed(0)} ms at ${new Date(a.at).toISOString().slice(11, 23)}: ${main} (${split})`;
  });
  const summary = [...byCause].sort((x, y) => y[1].ms - x[1].ms).map(([c, v]) => `${c}: ${v.count} (${v.ms.toFixed(0)} ms)`).join('; ');
  return [`PUBACKs over ${overMs} ms: ${slow.length}, by main cause: ${summary || 'none'}`, ...lines];
}
