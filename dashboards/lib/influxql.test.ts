import { describe, expect, it } from 'vitest';
import { col, field, last, max, mean, min, render, showTagValues, sum, tagIn, tagIs, tagMatches, type Query } from './influxql.ts';
import { ROLLUP } from './rollup.ts';

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

  it('reads the same query from the rollups: policy-qualified measurement, <aggregate>_<field> columns', () => {
    expect(render(latency, ROLLUP)).toBe(
      'SELECT mean("mean_rtt_avg_ms") AS "latency" FROM "rollup_5m"."ping" WHERE "site" =~ /^$site$/ AND "role" = \'internet\' AND $timeFilter GROUP BY time($__interval), "device" fill(null)',
    );
  });

  it('prefixes only the innermost fields of a subquery; the outer query uses the inner names', () => {
    const q: Query = {
      select: [col('state', (f) => `1 - max(${f('up', 'max')})`), field('up', 'raw')],
      from: { select: [last('up')], from: ['ping', 'snmp'], time: '5m', groupBy: ['site', 'device'] },
      groupBy: ['site'],
    };
    expect(render(q, ROLLUP)).toBe(
      'SELECT 1 - max("up") AS "state", "up" AS "raw" FROM (SELECT last("mean_up") AS "up" FROM "rollup_5m"."ping", "rollup_5m"."snmp" WHERE time > now() - 5m GROUP BY "site", "device") GROUP BY "site"',
    );
  });

  it('reads from the rollups the column of the aggregate that reads it, or the field\'s only one', () => {
    const rtt: Query = {
      select: [min('rtt_min_ms'), mean('rtt_avg_ms'), max('rtt_max_ms'), mean('loss_pct'), max('loss_pct', 'worst_loss')],
      from: ['ping'],
      time: 'dashboard',
    };
    expect(render(rtt, ROLLUP)).toBe(
      'SELECT min("min_rtt_min_ms") AS "rtt_min_ms", mean("mean_rtt_avg_ms") AS "rtt_avg_ms", max("max_rtt_max_ms") AS "rtt_max_ms", ' +
        'mean("mean_loss_pct") AS "loss_pct", max("max_loss_pct") AS "worst_loss" FROM "rollup_5m"."ping" WHERE $timeFilter',
    );
    // uptime_s is rolled up only as its minimum (a restart shows as a small minimum).
    expect(render({ select: [last('uptime_s')], from: ['snmp'] }, ROLLUP)).toBe('SELECT last("min_uptime_s") AS "uptime_s" FROM "rollup_5m"."snmp"');
  });

  it('reads the profile rollups: peak clients per radio, summed per access point', () => {
    const q: Query = {
      select: [sum('clients')],
      from: { select: [max('clients')], from: ['wireless'], where: [tagMatches('site')], time: 'dashboard', byInterval: true, groupBy: ['device', 'ap', 'radio'] },
      time: 'dashboard',
      byInterval: true,
      groupBy: ['device', 'ap'],
    };
    expect(render(q, ROLLUP)).toBe(
      'SELECT sum("clients") AS "clients" FROM (SELECT max("max_clients") AS "clients" FROM "rollup_5m"."wireless" WHERE "site" =~ /^$site$/ AND $timeFilter ' +
        'GROUP BY time($__interval), "device", "ap", "radio") WHERE $timeFilter GROUP BY time($__interval), "device", "ap"',
    );
    expect(() => render({ select: [last('level_pct')], from: ['printer_supply'] }, ROLLUP)).toThrow(/printer_supply\.level_pct is not rolled up/);
  });

  it('refuses a rollup query for a column the rollups never write', () => {
    expect(() => render({ select: [last('counter_bits')], from: ['interface'] }, ROLLUP)).toThrow(/interface\.counter_bits is not rolled up/);
    expect(() => render({ select: [last('loss_pct')], from: ['ping'] }, ROLLUP)).toThrow(/ping\.loss_pct is rolled up as mean, max: read it with one of those, not last/);
    expect(() => render({ select: [mean('uptime_s')], from: ['snmp', 'agent_status'] }, ROLLUP)).not.toThrow();
    expect(() => render({ select: [mean('response_ms')], from: ['snmp', 'ping'] }, ROLLUP)).toThrow(/ping\.response_ms is not rolled up/);
  });

  it('quotes tag values and identifiers', () => {
    expect(tagIs('site', "o'neil")).toBe(`"site" = 'o\\'neil'`);
    expect(tagIn('role', ['internet', 'firewall'])).toBe(`("role" = 'internet' OR "role" = 'firewall')`);
    expect(showTagValues('interface', { from: 'interface', where: [tagMatches('device')] })).toBe(
      'SHOW TAG VALUES FROM "interface" WITH KEY = "interface" WHERE "device" =~ /^$device$/',
    );
  });
});
