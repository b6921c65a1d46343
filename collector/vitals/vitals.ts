import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { Logger } from '../../contract/index.ts';

/** One interval of the collector's own health, as logged. Times in ms, sizes in MiB. */
export interface Vitals {
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  rssMiB: number;
  heapUsedMiB: number;
  /** V8's old-space limit (--max-old-space-size): a heap near it means back-to-back full collections. */
  heapLimitMiB: number;
  /** What the InfluxDB writer holds and the write-ahead log keeps, from their own stats. */
  pendingPoints: number;
  walMiB: number;
}

export interface VitalsLimits {
  /** A stalled loop holds every school's PUBACK and every keepalive answer (aedes closes at 1.5 × keepalive). */
  eventLoopStallMs: number;
  /** Of the heap limit. */
  heapFraction: number;
}

export const DEFAULT_VITALS_LIMITS: VitalsLimits = { eventLoopStallMs: 10_000, heapFraction: 0.9 };

/** Why these vitals deserve a warning, if they do (pure). */
export function vitalsWarnings(v: Vitals, limits: VitalsLimits = DEFAULT_VITALS_LIMITS): string[] {
  const out: string[] = [];
  if (v.eventLoopDelayMs.max >= limits.eventLoopStallMs) out.push(`event loop stalled ${Math.round(v.eventLoopDelayMs.max / 1000)} s`);
  if (v.heapLimitMiB > 0 && v.heapUsedMiB >= v.heapLimitMiB * limits.heapFraction) out.push(`heap at ${v.heapUsedMiB} of ${v.heapLimitMiB} MiB`);
  return out;
}

const MIB = 1024 * 1024;
const mib = (bytes: number) => Math.round(bytes / MIB);

export interface VitalsSources {
  pendingPoints(): number;
  walBytes(): number;
}

/**
 * Every interval one `collector vitals` log line: event-loop delay (p50, p99, max), RSS, heap against its
 * limit, the writer's pending points and the write-ahead log's size; at warn level when the loop stalled or
 * the heap is near its limit. A tech reading `journalctl` after a night of closed connections or late
 * alerts sees whether the collector itself stalled, and when.
 */
export function startVitals(sources: VitalsSources, log: Logger, intervalMs: number, limits: VitalsLimits = DEFAULT_VITALS_LIMITS): { sample(): Vitals; stop(): void } {
  const resolutionMs = 20;
  const delay = monitorEventLoopDelay({ resolution: resolutionMs });
  delay.enable();
  const heapLimitMiB = mib(getHeapStatistics().heap_size_limit);
  // The histogram holds each sampling timer's whole interval; the delay is what it ran late by.
  const ms = (ns: number) => Math.max(0, Math.round(ns / 1e5) / 10 - resolutionMs);
  function sample(): Vitals {
    const v: Vitals = {
      eventLoopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
      rssMiB: mib(process.memoryUsage.rss()),
      heapUsedMiB: mib(process.memoryUsage().heapUsed),
      heapLimitMiB,
      pendingPoints: sources.pendingPoints(),
      walMiB: Math.round((sources.walBytes() / MIB) * 10) / 10,
    };
    delay.reset();
    return v;
  }
  const timer = setInterval(() => {
    const v = sample();
    const warnings = vitalsWarnings(v, limits);
    if (warnings.length > 0) log.warn({ ...v, warnings }, 'collector vitals');
    else log.info(v, 'collector vitals');
  }, intervalMs);
  timer.unref();
  return {
    sample,
    stop() {
      clearInterval(timer);
      delay.disable();
    },
  };
}
