import type { FieldValue, Sample } from '../../contract/index.ts';
import type { Check } from '../checks/check.ts';

interface KindStats {
  runs: number;
  inProgress: number;
  /** Runs since the last `startWindow`, for the duration average and maximum. */
  windowRuns: number;
  windowMs: number;
  windowMaxMs: number;
}

/** SNMP errors that mean "no answer in time", as session.ts words them; every other error is a wrong answer. */
const SNMP_TIMEOUTS = new Set(['timeout', 'poll budget exceeded']);

/**
 * How long the agent's checks take, for `agent_health`. Aggregated per check kind, not per device:
 * the question is whether this agent keeps up with its site (a maximum near the interval says it will
 * not for long), and each device's own samples already say which one is slow (snmp response_ms, ping rtt).
 * Per device it would be one more series per device and check in InfluxDB for the same answer.
 */
export class CheckStats {
  private readonly kinds = new Map<string, KindStats>();
  private snmpTimeouts = 0;
  private snmpErrors = 0;

  constructor(private readonly now: () => number) {}

  /** The same checks, each run timed and its SNMP results counted. */
  measure<T extends object>(checks: T): T {
    const out: Record<string, unknown> = {};
    for (const [name, check] of Object.entries(checks)) out[name] = this.wrap(check as Check<unknown>);
    return out as T;
  }

  private wrap<C>(check: Check<C>): Check<C> {
    const stats = this.kind(check.kind);
    return {
      kind: check.kind,
      run: async (device, config, ctx) => {
        const started = this.now();
        stats.inProgress++;
        try {
          const samples = await check.run(device, config, ctx);
          if (check.kind === 'snmp') this.countSnmp(samples);
          return samples;
        } finally {
          const ms = this.now() - started;
          stats.inProgress--;
          stats.runs++;
          stats.windowRuns++;
          stats.windowMs += ms;
          stats.windowMaxMs = Math.max(stats.windowMaxMs, ms);
        }
      },
    };
  }

  private kind(name: string): KindStats {
    let stats = this.kinds.get(name);
    if (stats === undefined) {
      stats = { runs: 0, inProgress: 0, windowRuns: 0, windowMs: 0, windowMaxMs: 0 };
      this.kinds.set(name, stats);
    }
    return stats;
  }

  private countSnmp(samples: readonly Sample[]): void {
    for (const s of samples) {
      if (s.measurement !== 'snmp' || s.fields.up !== 0) continue;
      if (SNMP_TIMEOUTS.has(String(s.fields.error))) this.snmpTimeouts++;
      else this.snmpErrors++;
    }
  }

  /**
   * Counts since start (`<kind>_runs`, `snmp_timeouts`, `snmp_errors`), checks running now
   * (`<kind>_in_progress`), and the run time of the checks that finished since the last window started
   * (`<kind>_ms_avg`, `<kind>_ms_max`; absent when none did).
   */
  fields(): Record<string, FieldValue> {
    const fields: Record<string, FieldValue> = {};
    for (const [kind, s] of this.kinds) {
      fields[`${kind}_runs`] = s.runs;
      fields[`${kind}_in_progress`] = s.inProgress;
      if (s.windowRuns > 0) {
        fields[`${kind}_ms_avg`] = Math.round(s.windowMs / s.windowRuns);
        fields[`${kind}_ms_max`] = s.windowMaxMs;
      }
    }
    if (this.kinds.has('snmp')) {
      fields.snmp_timeouts = this.snmpTimeouts;
      fields.snmp_errors = this.snmpErrors;
    }
    return fields;
  }

  /** Called after each published health sample, so averages and maxima are per health interval. */
  startWindow(): void {
    for (const s of this.kinds.values()) {
      s.windowRuns = 0;
      s.windowMs = 0;
      s.windowMaxMs = 0;
    }
  }
}
