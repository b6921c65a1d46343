import type { Logger } from '../../contract/index.ts';
import type { Clock } from '../../contract/clock.ts';
import { firstRunDelay, nextRun } from './timing.ts';

/** Something polled on its own interval: one device's check, or the agent's own health. */
export interface Job {
  /** Stable across config updates, e.g. `core-switch/snmp`, so an unchanged job keeps its phase. */
  key: string;
  intervalMs: number;
  run(): Promise<void>;
}

export interface SchedulerStats {
  runs: number;
  /** A run was due while the previous run of the same job was still going: skipped, never overlapped. */
  overlapsSkipped: number;
  /** Planned runs that passed while the process was stalled. */
  deadlinesMissed: number;
  failures: number;
}

interface Slot {
  job: Job;
  plannedAt: number;
  timer: unknown;
  running: boolean;
}

/**
 * Runs each job on its own timer. Jobs never overlap with themselves and never wait for each other:
 * a device that takes the full timeout delays nobody else.
 */
export class Scheduler {
  readonly stats: SchedulerStats = { runs: 0, overlapsSkipped: 0, deadlinesMissed: 0, failures: 0 };
  private readonly slots = new Map<string, Slot>();
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: { maxStartSpreadMs: number; random?: () => number } = { maxStartSpreadMs: 5_000 },
  ) {}

  /** Replaces the job set. Jobs whose key and interval are unchanged keep their timer and phase. */
  set(jobs: readonly Job[]): void {
    const wanted = new Map(jobs.map((j) => [j.key, j]));
    for (const [key, slot] of this.slots) {
      const next = wanted.get(key);
      if (next === undefined || next.intervalMs !== slot.job.intervalMs) {
        this.clock.clearTimeout(slot.timer);
        this.slots.delete(key);
      } else {
        slot.job = next;
      }
    }
    for (const job of jobs) {
      if (this.slots.has(job.key)) continue;
      const delay = firstRunDelay(job.intervalMs, this.options.maxStartSpreadMs, this.options.random ?? Math.random);
      const slot: Slot = { job, plannedAt: this.clock.now() + delay, timer: undefined, running: false };
      this.slots.set(job.key, slot);
      this.arm(slot, delay);
    }
  }

  get size(): number {
    return this.slots.size;
  }

  stop(): void {
    this.stopped = true;
    for (const slot of this.slots.values()) this.clock.clearTimeout(slot.timer);
    this.slots.clear();
  }

  private arm(slot: Slot, delayMs: number): void {
    slot.timer = this.clock.setTimeout(() => this.fire(slot), Math.max(0, delayMs));
  }

  private fire(slot: Slot): void {
    if (this.stopped || this.slots.get(slot.job.key) !== slot) return;
    if (slot.running) {
      this.stats.overlapsSkipped++;
      this.log.warn({ check: slot.job.key }, 'previous poll still running; this one skipped');
    } else {
      this.start(slot);
    }
    const { at, skipped } = nextRun(slot.plannedAt, slot.job.intervalMs, this.clock.now());
    this.stats.deadlinesMissed += skipped;
    slot.plannedAt = at;
    this.arm(slot, at - this.clock.now());
  }

  private start(slot: Slot): void {
    slot.running = true;
    this.stats.runs++;
    slot.job
      .run()
      .catch((err: unknown) => {
        // Checks turn device failures into samples; reaching here is a bug, so log it loudly and go on.
        this.stats.failures++;
        this.log.error({ check: slot.job.key, err }, 'check failed unexpectedly');
      })
      .finally(() => {
        slot.running = false;
      });
  }
}
