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
