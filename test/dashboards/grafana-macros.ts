/**
 * What Grafana's InfluxDB (InfluxQL) data source does to a raw query before sending it, enough to run the
 * dashboards' queries against a real InfluxDB: `$timeFilter` becomes a time condition, `$__interval` and
 * `$interval` a GROUP BY interval, and a variable in the form `=~ /^$name$/` its value regex-escaped,
 * several values (a multi-value or "All" selection) as `(a|b)`.
 */

export interface MacroValues {
  /** Replaces `$timeFilter`, e.g. `time >= 1700000000000ms and time <= now()` as Grafana writes it. */
  timeFilter: string;
  /** Replaces `$__interval` and `$interval`, e.g. `10s`. */
  interval: string;
  /** Template variables by name; one value, or several. */
  variables: Record<string, readonly string[]>;
}

/** Grafana's escapeRegex (@grafana/data): the characters that mean something in a regex, and `/`. */
export const escapeRegex = (value: string): string => value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');

/** Grafana's time condition for a range from `fromMs` to now. */
export const timeFilterFrom = (fromMs: number): string => `time >= ${fromMs}ms and time <= now()`;

/**
 * Substitutes as Grafana does. Throws on a variable the query uses in any other form, or one that has no
 * value, so that a dashboard can only use variables in the form that is escaped properly.
 */
export function interpolate(query: string, m: MacroValues): string {
  let q = query.replaceAll('$timeFilter', m.timeFilter).replace(/\$(__interval|interval)\b/g, m.interval);
  q = q.replace(/\/\^\$(\w+)\$\//g, (_, name: string) => {
    const values = m.variables[name];
    if (values === undefined || values.length === 0) throw new Error(`no value for $${name} in ${query}`);
    const escaped = values.map(escapeRegex);
    return `/^${escaped.length === 1 ? escaped[0] : `(${escaped.join('|')})`}$/`;
  });
  const left = /\$\{?\w+|\[\[\w+\]\]/.exec(q.replace(/\\\$/g, ''));
  if (left) throw new Error(`${left[0]} left in ${query}: variables must be used as =~ /^$name$/`);
  return q;
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90d` and friends in ms; undefined for anything else (e.g. `now/d`). */
export const durationMs = (text: string | undefined | null): number | undefined => {
  const m = /^(\d+)([smhdw])$/.exec(text ?? '');
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : undefined;
};

/**
 * The range and `$__interval` Grafana gives one panel: its relative time override (`timeFrom`: `90d`, or
 * `now/d` for today so far, taken in UTC) instead of the dashboard's range, and an interval of about
 * `maxDataPoints` points over the range, never below the panel's minimum interval (`interval`).
 */
export function panelMacros(panel: { timeFrom?: string | null; interval?: string | null } | undefined, dashboardFromMs: number, now: number, maxDataPoints = 1_000): { fromMs: number; interval: string } {
  const override = panel?.timeFrom === 'now/d' ? now - Math.floor(now / 86_400_000) * 86_400_000 : durationMs(panel?.timeFrom);
  const fromMs = override === undefined ? dashboardFromMs : now - override;
  const seconds = Math.max(1, Math.ceil((now - fromMs) / 1000 / maxDataPoints), (durationMs(panel?.interval) ?? 0) / 1000);
  return { fromMs, interval: `${seconds}s` };
}
