import type { Dashboard } from '@grafana/schema';
import { dashboard } from './lib/dashboard.ts';
import { col, field, last, max, mean, sum, tagMatches, type Column, type Query } from './lib/influxql.ts';
import { byName, colouredCell, stat, steps, table, timeseries, transform, valueText } from './lib/panels.ts';
import { influx, longRange, rollupInflux } from './lib/target.ts';
import { siteVariable } from './lib/variables.ts';

/**
 * The agents themselves ($site, several or all): when each was last heard, whether it is online, how long
 * it has run, its publish queue, its disk spool (depth and what its bounds dropped), its scheduler's health
 * and how long its SNMP polls take. Later issues add here: sequence gaps seen by the collector.
 */

const site = tagMatches('site');
const ONLINE = valueText({ 1: ['online', 'green'], 0: ['offline', 'red'] });

/** Last status of each agent; a status is sent on connect, every health interval, and by the will. */
const lastStatus: Query = { select: [last('online')], from: ['agent_status'], where: [site], groupBy: ['site', 'agent'] };

const online = stat({
  title: 'Agents online',
  w: 6,
  h: 8,
  targets: [influx({ select: [sum('online')], from: lastStatus })],
  thresholds: steps(['blue', 0]),
});

const offline = stat({
  title: 'Agents offline',
  w: 6,
  h: 8,
  targets: [influx({ select: [sum('offline')], from: { ...lastStatus, select: [col('offline', (f) => `1 - last(${f('online')})`)] } })],
  thresholds: steps(['green', 0], ['red', 1]),
});

const agents = table({
  title: 'Last heard',
  description: 'When the collector last heard each agent\'s status, and what it said.',
  w: 12,
  h: 8,
  targets: [influx(lastStatus, { format: 'table' })],
  transformations: [transform.organize([], { Time: 'last heard' })],
  sortBy: [{ displayName: 'online' }],
  overrides: [
    byName('online', [{ id: 'mappings', value: [ONLINE] }, colouredCell]),
    byName('last heard', [{ id: 'unit', value: 'dateTimeFromNow' }]),
  ],
});

const HEALTH_COUNTERS = ['deadlines_missed', 'overlaps_skipped', 'check_failures', 'samples_invalid', 'spool_dropped_samples', 'spool_errors'];

const health = table({
  title: 'Agent health',
  description:
    'The last health report of each agent in the selected range. Scheduler counters are totals since the agent started; spool drops are totals since its spool was created.',
  w: 24,
  h: 8,
  targets: [
    influx(
      {
        select: ['uptime_s', 'connected', 'devices', 'batches_unacked', 'samples_waiting', 'spool_batches', 'spool_bytes', ...HEALTH_COUNTERS].map((f) => last(f)),
        from: ['agent_health'],
        where: [site],
        time: 'dashboard',
        groupBy: ['site', 'agent'],
      },
      { format: 'table' },
    ),
  ],
  transformations: [transform.organize(['Time'])],
  overrides: [
    byName('uptime_s', [{ id: 'unit', value: 's' }]),
    byName('spool_bytes', [{ id: 'unit', value: 'bytes' }]),
    byName('connected', [{ id: 'mappings', value: [valueText({ 1: ['yes', 'green'], 0: ['no', 'red'] })] }, colouredCell]),
    ...HEALTH_COUNTERS.map((n) => byName(n, [{ id: 'thresholds', value: steps(['green', 0], ['orange', 1]) }, colouredCell])),
  ],
});

/** Per agent and interval; `columns` are fields of agent_health. */
const perAgent = (columns: Column[]): Query => ({
  select: columns,
  from: ['agent_health'],
  where: [site],
  time: 'dashboard',
  byInterval: true,
  groupBy: ['agent'],
  fill: 'null',
});

const uptime = timeseries({
  title: 'Agent uptime',
  description: 'A drop is a restart.',
  w: 8,
  h: 8,
  unit: 's',
  targets: [influx(perAgent([last('uptime_s', 'uptime')]), { alias: '$tag_agent' })],
});

const queue = timeseries({
  title: 'Publish queue',
  description: 'Batches published but not yet acknowledged by the broker, and samples waiting to be batched.',
  w: 8,
  h: 8,
  min: 0,
  targets: [influx(perAgent([max('batches_unacked'), max('samples_waiting')]), { alias: '$tag_agent $col' })],
});

const scheduler = timeseries({
  title: 'Scheduler',
  description: 'Totals since the agent started: a rise means checks ran late, were skipped because the previous run was still going, or failed.',
  w: 8,
  h: 8,
  min: 0,
  targets: [influx(perAgent([max('deadlines_missed'), max('overlaps_skipped'), max('check_failures')]), { alias: '$tag_agent $col' })],
});

const spool = timeseries({
  title: 'Spool',
  description:
    'Batches and samples waiting on the agent\'s disk for the broker\'s acknowledgement. It grows while the school\'s link or the collector is down and drains after; reports made during an outage arrive with the backlog.',
  w: 8,
  h: 8,
  min: 0,
  targets: [influx(perAgent([max('spool_batches'), max('spool_samples')]), { alias: '$tag_agent $col' })],
});

const dropped = timeseries({
  title: 'Dropped at the spool bound',
  description:
    'Samples and batches the spool dropped, oldest first, when it reached its size or age bound: totals since the spool was created. Any rise is data lost for good; raise the bound in agent.yaml (spool) if the school has long outages.',
  w: 8,
  h: 8,
  min: 0,
  thresholds: steps(['green', 0], ['red', 1]),
  targets: [influx(perAgent([max('spool_dropped_samples'), max('spool_dropped_batches')]), { alias: '$tag_agent $col' })],
});

const slowestPolls = table({
  title: 'Slowest SNMP polls',
  description: 'Devices whose SNMP system poll took longest in the selected range (time from request to the answer of the system group).',
  w: 8,
  h: 8,
  unit: 'ms',
  targets: [
    influx(
      {
        select: [col('worst_ms', (f) => `top(${f('worst_ms')}, "site", "device", 10)`), field('mean_ms')],
        from: {
          select: [max('response_ms', 'worst_ms'), mean('response_ms', 'mean_ms')],
          from: ['snmp'],
          where: [site],
          time: 'dashboard',
          groupBy: ['site', 'device'],
        },
      },
      { format: 'table' },
    ),
  ],
  transformations: [transform.organize(['Time'])],
  sortBy: [{ displayName: 'worst_ms', desc: true }],
  thresholds: steps(['green', 0], ['orange', 1_000], ['red', 3_000]),
  overrides: [byName('worst_ms', [colouredCell])],
});

const connectedLong = timeseries({
  title: 'Connected, 90 days',
  description: 'Share of each agent\'s health reports that found it connected to the broker, per interval, from the 5-minute rollups (kept for years).',
  w: 24,
  h: 8,
  unit: 'percentunit',
  min: 0,
  max: 1,
  ...longRange(),
  targets: [rollupInflux(perAgent([mean('connected')]), { alias: '$tag_agent' })],
});

export const agentsDashboard: Dashboard = dashboard({
  uid: 'hm-agents',
  title: 'hallmonitor — agents',
  description: 'The agents: last heard, online, uptime, queue, spool, scheduler, SNMP poll times.',
  variables: [siteVariable({ multi: true })],
  panels: [online, offline, agents, health, uptime, queue, scheduler, spool, dropped, slowestPolls, connectedLong],
});
