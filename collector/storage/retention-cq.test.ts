import { describe, expect, it } from 'vitest';
import { goDurationSeconds } from './retention.ts';
import { ROLLUPS, dailyInternetSelect, dailyPingSelect, quoteIdent, quoteTagValue, rollupSelect } from './retention-cq.ts';
import { DEFAULT_ROLLUP_SCHEDULE, influxDuration, rollupQueries, sameQuery } from './old-continuous-queries.ts';

describe('rollup continuous queries', () => {
  it('one per measurement, hourly over the last 2 hours, 5-minute windows keeping every tag', () => {
    const [ping] = rollupQueries('hallmonitor');
    expect(ping).toEqual({
      name: 'rollup_5m_ping',
      create:
        'CREATE CONTINUOUS QUERY "rollup_5m_ping" ON "hallmonitor" RESAMPLE EVERY 1h FOR 2h BEGIN ' +
        'SELECT mean("up") AS "mean_up", mean("loss_pct") AS "mean_loss_pct", max("loss_pct") AS "max_loss_pct", ' +
        'mean("rtt_avg_ms") AS "mean_rtt_avg_ms", min("rtt_min_ms") AS "min_rtt_min_ms", max("rtt_max_ms") AS "max_rtt_max_ms", ' +
        'mean("jitter_ms") AS "mean_jitter_ms", max("jitter_ms") AS "max_jitter_ms", count("up") AS "samples" ' +
        'INTO "hallmonitor"."rollup_5m"."ping" FROM "hallmonitor"."raw"."ping" GROUP BY time(5m), * END',
    });
    expect(rollupQueries('hallmonitor').map((q) => q.name)).toEqual([...ROLLUPS.map((r) => `rollup_5m_${r.measurement}`), 'rollup_5m_ping_site_1d']);
    expect(DEFAULT_ROLLUP_SCHEDULE).toEqual({ everySeconds: 3_600, forSeconds: 7_200 });
  });

  it('the daily ping rollup: hourly over today and yesterday, the windows\' mean_up summed and counted per school and UTC day', () => {
    expect(rollupQueries('hallmonitor').at(-1)).toEqual({
      name: 'rollup_5m_ping_site_1d',
      create:
        'CREATE CONTINUOUS QUERY "rollup_5m_ping_site_1d" ON "hallmonitor" RESAMPLE EVERY 1h FOR 2d BEGIN ' +
        'SELECT sum("mean_up") AS "sum_mean_up", count("mean_up") AS "windows", sum("samples") AS "samples" ' +
        'INTO "hallmonitor"."rollup_5m"."ping_site_1d" FROM "hallmonitor"."rollup_5m"."ping" GROUP BY time(1d), "site" END',
    });
    expect(dailyPingSelect('hm', 'time >= 0ms AND time < 86400000ms')).toContain('FROM "hm"."rollup_5m"."ping" WHERE time >= 0ms AND time < 86400000ms GROUP BY time(1d), "site"');
  });

  it('the daily internet rollup: the internet links\' window means summed and counted per field, and their maxima, per link and UTC day', () => {
    expect(dailyInternetSelect('hm', '"site" = \'north\' AND time >= 0ms AND time < 86400000ms')).toBe(
      'SELECT sum("mean_loss_pct") AS "sum_mean_loss_pct", count("mean_loss_pct") AS "windows_loss_pct", ' +
        'sum("mean_rtt_avg_ms") AS "sum_mean_rtt_avg_ms", count("mean_rtt_avg_ms") AS "windows_rtt_avg_ms", ' +
        'sum("mean_jitter_ms") AS "sum_mean_jitter_ms", count("mean_jitter_ms") AS "windows_jitter_ms", ' +
        'max("max_loss_pct") AS "max_loss_pct", max("max_rtt_max_ms") AS "max_rtt_max_ms" ' +
        'INTO "hm"."rollup_5m"."ping_internet_1d" FROM "hm"."rollup_5m"."ping" ' +
        'WHERE "role" = \'internet\' AND "site" = \'north\' AND time >= 0ms AND time < 86400000ms GROUP BY time(1d), "site", "device"',
    );
    // Every column it reads is one the 5-minute ping rollup writes.
    const ping = ROLLUPS.find((r) => r.measurement === 'ping')!;
    const written = Object.entries(ping.fields).flatMap(([field, aggs]) => aggs.map((a) => `${a}_${field}`));
    const read = [...dailyInternetSelect('hm').matchAll(/(?:sum|count|max)\("([a-z_]+)"\)/g)].map((m) => m[1]);
    expect(read.filter((c) => !written.includes(c!))).toEqual([]);
  });

  it('the profile and agent-host rollups keep the names the dashboards read', () => {
    const names = (measurement: string) => {
      const rollup = ROLLUPS.find((r) => r.measurement === measurement);
      return rollup ? Object.entries(rollup.fields).flatMap(([field, aggs]) => aggs.map((a) => `${a}_${field}`)) : [];
    };
    expect(names('host')).toEqual(['mean_cpu_load_pct', 'max_cpu_load_pct', 'mean_memory_used_pct', 'max_memory_used_pct']);
    expect(names('host_storage')).toEqual(['max_used_pct', 'max_size_bytes']);
    expect(names('ups')).toEqual(['max_on_battery', 'min_battery_pct', 'mean_battery_pct', 'min_runtime_min', 'mean_load_pct', 'max_load_pct']);
    expect(names('wireless')).toEqual(['mean_clients', 'max_clients']);
    expect(names('agent_host')).toEqual(['mean_cpu_pct', 'max_cpu_pct', 'mean_mem_used_pct', 'max_mem_used_pct', 'max_temperature_c']);
    expect(names('agent_host_disk')).toEqual(['max_used_pct']);
  });

  it('a backfill is the same SELECT limited to a time range', () => {
    const select = rollupSelect('hm', ROLLUPS[0]!, 'time >= 0ms AND time < 300000ms');
    expect(select).toContain('FROM "hm"."raw"."ping" WHERE time >= 0ms AND time < 300000ms GROUP BY time(5m), *');
  });

  it('every rollup field is <aggregate>_<field>, counted samples included', () => {
    for (const rollup of ROLLUPS) {
      expect(rollupSelect('hm', rollup)).toMatch(/count\("[a-z_]+"\) AS "samples"/);
      for (const [field, aggregates] of Object.entries(rollup.fields)) {
        for (const agg of aggregates) expect(rollupSelect('hm', rollup)).toContain(`${agg}("${field}") AS "${agg}_${field}"`);
      }
    }
  });

  it('durations print in the largest whole unit, as InfluxDB prints them back', () => {
    expect([2, 300, 3_600, 21_600, 86_400, 604_800, 90].map(influxDuration)).toEqual(['2s', '5m', '1h', '6h', '1d', '1w', '90s']);
    expect(() => influxDuration(0)).toThrow(/positive whole number/);
  });

  it("reads Go's duration text from SHOW RETENTION POLICIES", () => {
    expect(goDurationSeconds('1080h0m0s')).toBe(45 * 86_400);
    expect(goDurationSeconds('0s')).toBe(0);
    expect(goDurationSeconds('1h30m0s')).toBe(5_400);
  });

  it('compares a stored CQ with ours regardless of the quotes InfluxDB drops', () => {
    const ours = 'CREATE CONTINUOUS QUERY "x" ON "hm-db" BEGIN SELECT mean("up") AS "mean_up" INTO "hm-db"."rollup_5m"."ping" FROM "hm-db"."raw"."ping" GROUP BY time(5m), * END';
    const stored = 'CREATE CONTINUOUS QUERY x ON "hm-db" BEGIN SELECT mean(up) AS mean_up INTO "hm-db".rollup_5m.ping FROM "hm-db".raw.ping GROUP BY time(5m), * END';
    expect(sameQuery(ours, stored)).toBe(true);
    expect(sameQuery(ours, stored.replace('mean(up)', 'max(up)'))).toBe(false);
    expect(quoteIdent('a"b')).toBe('"a\\"b"');
  });

  it('quotes a tag value for InfluxQL: quotes and backslashes escaped, nothing else', () => {
    expect(quoteTagValue('north-primary')).toBe("'north-primary'");
    expect(quoteTagValue("o'brien")).toBe("'o\\'brien'");
    expect(quoteTagValue('a\\b')).toBe("'a\\\\b'");
    expect(quoteTagValue("\\'")).toBe("'\\\\\\''");
  });
});
