/**
 * Per school, what its devices' last check results say now: one `school_state` point per school each
 * interval, so the overview's "Schools" tiles and "Checks failing now" read one series per school instead
 * of every device's last `up` (at 1,000 schools, 51,000 ping and snmp series; docs/dashboards.md).
 *
 * Pure: the latest result per device is kept from what the ingest accepted, and `summarise` turns it into
 * points at a time passed in. The numbers mean exactly what the raw queries they replace computed.
 */

/** The check kinds a school's tile is made of: each writes `up` (1 answered, 0 failed) per device. */
export const CHECK_KINDS = ['ping', 'snmp'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

/** How recent a result must be to count as the device's state now: the panels' `time > now() - 5m`. */
export const RECENT_MS = 5 * 60_000;

/** A sample as the ingest accepted it; only `ping` and `snmp` samples with a `device` tag and numeric `up` count. */
export interface ObservedSample {
  readonly measurement: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly time: number;
}

interface LastResult {
  time: number;
  up: number;
}

export interface KindSummary {
  /** Devices with a result in the last 5 minutes. */
  devices: number;
  /** Σ (1 − last up): the devices whose last result failed. */
  failed: number;
  /** 1 − the mean of the distinct last `up` values: 0 every device answered, 0.5 some, 1 none; absent without devices. */
  state?: number;
}

export interface SchoolSummary {
  site: string;
  kinds: Record<CheckKind, KindSummary>;
  /**
   * The tile's device part, worst kind first: 0 up, 0.5 degraded, 1 down; -1 when the school has sent
   * results since the collector started but none in the last 5 minutes ("no recent data"); absent for a
   * school never heard from, whose tile the agent's status alone decides, as before.
   */
  state?: number;
}

/** The state number of one kind's last results, as the raw query computes it: 1 − mean(distinct(last up)). */
export function kindState(ups: readonly number[]): number | undefined {
  if (ups.length === 0) return undefined;
  const distinct = [...new Set(ups)];
  return 1 - distinct.reduce((a, b) => a + b, 0) / distinct.length;
}

/**
 * The latest result per device and check kind of each school. Memory is bounded by what the ingest lets
 * through (its per-site series budget) and by `summarise`, which forgets results older than 5 minutes.
 */
export class SchoolResults {
  private readonly bySite = new Map<string, Map<string, LastResult>>();

  /** The results of one accepted batch; the later sample wins, so a replayed old batch changes nothing. */
  observe(site: string, samples: readonly ObservedSample[]): void {
    let devices = this.bySite.get(site);
    for (const s of samples) {
      if (s.measurement !== 'ping' && s.measurement !== 'snmp') continue;
      const device = s.tags['device'];
      const up = s.fields['up'];
      if (device === undefined || typeof up !== 'number' || !Number.isFinite(up)) continue;
      if (devices === undefined) this.bySite.set(site, (devices = new Map()));
      const key = `${s.measurement}\u0000${device}`;
      const prior = devices.get(key);
      // InfluxDB's last() takes the later time; at equal times the one written later overwrites the point.
      if (prior === undefined || prior.time <= s.time) devices.set(key, { time: s.time, up });
    }
  }

  /** Every school heard from, plus `sites` (the configured ones), summarised at `now`. */
  summarise(now: number, sites: Iterable<string> = []): SchoolSummary[] {
    const names = new Set([...sites, ...this.bySite.keys()]);
    const out: SchoolSummary[] = [];
    for (const site of names) {
      const devices = this.bySite.get(site);
      const ups: Record<CheckKind, number[]> = { ping: [], snmp: [] };
      for (const [key, r] of devices ?? []) {
        if (r.time <= now - RECENT_MS) {
          devices?.delete(key);
          continue;
        }
        ups[key.startsWith('ping\u0000') ? 'ping' : 'snmp'].push(r.up);
      }
      const kinds = Object.fromEntries(
        CHECK_KINDS.map((k) => {
          const state = kindState(ups[k]);
          const summary: KindSummary = { devices: ups[k].length, failed: ups[k].reduce((a, up) => a + (1 - up), 0) };
          return [k, state === undefined ? summary : { ...summary, state }];
        }),
      ) as Record<CheckKind, KindSummary>;
      const states = CHECK_KINDS.map((k) => kinds[k].state).filter((s): s is number => s !== undefined);
      const state = states.length > 0 ? Math.max(...states) : devices !== undefined ? -1 : undefined;
      out.push(state === undefined ? { site, kinds } : { site, kinds, state });
    }
    return out;
  }
}

/** The fields of a school's `school_state` point (docs/dashboards.md lists them). */
export function schoolStateFields(s: SchoolSummary): Record<string, number> {
  return {
    ping_devices: s.kinds.ping.devices,
    ping_failed: s.kinds.ping.failed,
    snmp_devices: s.kinds.snmp.devices,
    snmp_failed: s.kinds.snmp.failed,
    ...(s.state === undefined ? {} : { state: s.state }),
  };
}
