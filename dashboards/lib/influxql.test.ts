import { describe, expect, it } from 'vitest';
import { col, field, last, mean, render, showTagValues, tagIn, tagIs, tagMatches, type Query, type Storage } from './influxql.ts';

const ROLLUP: Storage = { retentionPolicy: 'rollup_5m', fieldPrefix: 'mean_' };

const latency: Query = {
  select: [mean('rtt_avg_ms', 'latency')],
  from: ['ping'],
  where: [tagMatches('site'), tagIs('role', 'internet')],
  time: 'dashboard',
  byInterval: true,
  groupBy: ['device'],
  fill: 'null',
};

describe('InfluxQL builder', () => {
  it('renders a time series query with Grafana macros', () => {
    expect(render(latency)).toBe(
      'SELECT mean("rtt_avg_ms") AS "latency" FROM "ping" WHERE "site" =~ /^$site$/ AND "role" = \'internet\' AND $timeFilter GROUP BY time($__interval), "device" fill(null)',
    );
  });

  it('reads the same query from a rollup: policy-qualified measurement, prefixed fields', () => {
    expect(render(latency, ROLLUP)).toBe(
      'SELECT mean("mean_rtt_avg_ms") AS "latency" FROM "rollup_5m"."ping" WHERE "site" =~ /^$site$/ AND "role" = \'internet\' AND $timeFilter GROUP BY time($__interval), "device" fill(null)',
    );
  });

  it('prefixes only the innermost fields of a subquery; the outer query uses the inner names', () => {
    const q: Query = {
      select: [col('state', (f) => `1 - max(${f('up')})`), field('up', 'raw')],
      from: { select: [last('up')], from: ['ping', 'snmp'], time: '5m', groupBy: ['site', 'device'] },
      groupBy: ['site'],
    };
    expect(render(q, ROLLUP)).toBe(
      'SELECT 1 - max("up") AS "state", "up" AS "raw" FROM (SELECT last("mean_up") AS "up" FROM "rollup_5m"."ping", "rollup_5m"."snmp" WHERE time > now() - 5m GROUP BY "site", "device") GROUP BY "site"',
    );
  });

  it('quotes tag values and identifiers', () => {
    expect(tagIs('site', "o'neil")).toBe(`"site" = 'o\\'neil'`);
    expect(tagIn('role', ['internet', 'firewall'])).toBe(`("role" = 'internet' OR "role" = 'firewall')`);
    expect(showTagValues('interface', { from: 'interface', where: [tagMatches('device')] })).toBe(
      'SHOW TAG VALUES FROM "interface" WITH KEY = "interface" WHERE "device" =~ /^$device$/',
    );
  });
});
