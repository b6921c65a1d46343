import type { Dashboard } from '@grafana/schema';
import { dashboard } from './lib/dashboard.ts';
import { col, field, last, max, mean, sum, tagIs, tagMatches, type Column, type Query } from './lib/influxql.ts';
import { byName, byRegexp, colouredCell, stat, steps, table, timeseries, transform, valueText } from './lib/panels.ts';
import { influx, longRange, rollupInflux } from './lib/target.ts';
import { siteVariable } from './lib/variables.ts';

/**
 * The agents themselves ($site, several or all): when each was last heard, whether it is online, how long
 * it has run, its publish queue, its disk spool (depth and what its bounds dropped), its scheduler's health,
 * how long its checks take per kind and how many SNMP polls time out, and the machine it runs on (CPU,
 * memory, disks, temperature, network). Later issues add here: sequence gaps seen by the collector.
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

const pollDurations = timeseries({
  title: 'Check run time',
  description:
    'Per check kind, the mean and the longest run over each health interval (a minute). A longest run near the check interval means the agent will soon not keep up with its site; which device is slow is in that device\'s own samples.',
  w: 12,
  h: 8,
  unit: 'ms',
  min: 0,
  targets: [influx(perAgent([mean('ping_ms_avg', 'ping avg'), max('ping_ms_max', 'ping max'), mean('snmp_ms_avg', 'snmp avg'), max('snmp_ms_max', 'snmp max')]), { alias: '$tag_agent $col' })],
  overrides: [byRegexp('/ max$/', [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } }])],
});

const snmpFailures = timeseries({
  title: 'SNMP timeouts and errors',
  description: 'Totals since the agent started: polls that got no answer in time, and polls answered with something unusable. A rise is a device, a link or the agent\'s machine struggling.',
  w: 12,
  h: 8,
  min: 0,
  decimals: 0,
  targets: [influx(perAgent([max('snmp_timeouts', 'timeouts'), max('snmp_errors', 'errors')]), { alias: '$tag_agent $col' })],
});

/** Per agent and interval over one of the agent_host measurements. */
const perHost = (from: 'agent_host' | 'agent_host_disk' | 'agent_host_interface', columns: Column[], groupBy: string[] = []): Query => ({
  ...perAgent(columns),
  from: [from],
  groupBy: ['agent', ...groupBy],
});

const hostCpuMemory = timeseries({
  title: 'Agent machine: CPU and memory',
  description: 'CPU busy since the previous reading, and memory in use (total minus available, so page cache does not count).',
  w: 8,
  h: 8,
  unit: 'percent',
  min: 0,
  max: 100,
  targets: [influx(perHost('agent_host', [mean('cpu_pct', 'cpu'), mean('mem_used_pct', 'memory')]), { alias: '$tag_agent $col' })],
  thresholds: steps(['green', 0], ['orange', 80], ['red', 95]),
});

const hostLoad = timeseries({
  title: 'Agent machine: load',
  description: '1-minute load average: runnable processes; above the number of cores, work waits.',
  w: 8,
  h: 8,
  min: 0,
  targets: [influx(perHost('agent_host', [mean('load_1m', 'load')]), { alias: '$tag_agent' })],
});

const hostTemperature = timeseries({
  title: 'Agent machine: temperature',
  description: 'The highest CPU temperature the OS reports (a Raspberry Pi in a warm cupboard throttles near 80 °C). Empty for a machine without sensors, such as most virtual machines.',
  w: 8,
  h: 8,
  unit: 'celsius',
  thresholds: steps(['green', 0], ['orange', 70], ['red', 80]),
  targets: [influx(perHost('agent_host', [max('temperature_c', 'temperature')]), { alias: '$tag_agent' })],
});

const hostDisks = timeseries({
  title: 'Agent machine: disks',
  description: 'Use of each mounted filesystem (as df\'s Use%). The spool lives on the one holding the agent\'s data directory.',
  w: 12,
  h: 8,
  unit: 'percent',
  min: 0,
  max: 100,
  thresholds: steps(['green', 0], ['orange', 85], ['red', 95]),
  targets: [influx(perHost('agent_host_disk', [max('used_pct')], ['mount']), { alias: '$tag_agent $tag_mount' })],
});

const hostNetwork = timeseries({
  title: 'Agent machine: network',
  description: 'Traffic of each network interface of the agent\'s machine (loopback left out), out drawn below the axis.',
  w: 12,
  h: 8,
  unit: 'bps',
  targets: [influx(perHost('agent_host_interface', [mean('in_bps', 'in'), mean('out_bps', 'out')], ['interface']), { alias: '$tag_agent $tag_interface $col' })],
  overrides: [byRegexp('/ out$/', [{ id: 'custom.transform', value: 'negative-Y' }])],
});

const hostLong = timeseries({
  title: 'Agent machine, 90 days',
  description: 'Highest CPU, memory and disk use per interval of each agent\'s machine, from the 5-minute rollups (kept for years).',
  w: 24,
  h: 8,
  unit: 'percent',
  min: 0,
  max: 100,
  ...longRange(),
  targets: [
    rollupInflux(perHost('agent_host', [max('cpu_pct', 'cpu'), max('mem_used_pct', 'memory')]), { alias: '$tag_agent $col' }),
    rollupInflux(perHost('agent_host_disk', [max('used_pct', 'disk')], ['mount']), { alias: '$tag_agent disk $tag_mount' }),
  ],
});

/** What the collector did with each agent's samples (collector/ingest/report.ts): one point per agent, outcome and reason per interval. */
const ingestOutcomes = (outcome: 'accepted' | 'rejected'): Query => ({
  select: [sum('samples')],
  from: ['collector_ingest'],
  where: [site, tagIs('outcome', outcome)],
  time: 'dashboard',
  byInterval: true,
  groupBy: ['agent', 'reason'],
  fill: 'none',
});

const ingestRejected = timeseries({
  title: 'Samples the collector refused',
  description:
    'Per agent and reason (docs/data-integrity.md): invalid (the message broke the contract), time-future / time-past (outside the allowed clock skew or older than raw retention), field-type and key-conflict (a field with another type, or a tag used as a field), series-budget (the school created more new series than its budget), reserved-measurement, unstorable, internal. Refused messages are acknowledged, so agents do not resend them: any bar here is data not stored.',
  w: 12,
  h: 8,
  min: 0,
  thresholds: steps(['green', 0], ['red', 1]),
  targets: [influx(ingestOutcomes('rejected'), { alias: '$tag_agent $tag_reason' })],
});

const ingestAccepted = timeseries({
  title: 'Samples the collector stored',
  description: 'Per agent, samples accepted by the collector (and queued to InfluxDB) per interval.',
  w: 12,
  h: 8,
  min: 0,
  targets: [influx(ingestOutcomes('accepted'), { alias: '$tag_agent' })],
});

/** Messages refused per agent, the broker's refusals of logged-in agents included (collector/broker/hooks.ts). */
const messagesRefused = timeseries({
  title: 'Messages and packets the collector refused',
  description:
    'Per agent and reason, whole messages refused: invalid, site-mismatch, agent-mismatch, internal (by the ingest) and publish-denied, subscribe-denied, message-too-large, packet-refused (by the broker, which closes the connection for the first denied one). 20 or more refusals of one agent within 10 minutes raise the agent-data-refused alert (docs/security.md).',
  w: 12,
  h: 8,
  min: 0,
  thresholds: steps(['green', 0], ['red', 1]),
  targets: [
    influx(
      { select: [sum('batches')], from: ['collector_ingest'], where: [site, tagIs('outcome', 'rejected')], time: 'dashboard', byInterval: true, groupBy: ['agent', 'reason'], fill: 'none' },
      { alias: '$tag_agent $tag_reason' },
    ),
  ],
});

/** The broker's totals (collector/broker/report.ts): counters since start, read as increases per interval. */
const increase = (fieldName: string) => col(fieldName, (f) => `non_negative_difference(last(${f(fieldName, 'last')}))`);
const brokerRefusals = timeseries({
  title: 'Broker refusals, all schools',
  description:
    'What the embedded broker refused or slowed per interval, for every school and for strangers before login: connections refused (caps, connect rate, making room), packets refused (over their size, malformed), logins failed and held back, publishes slowed (an agent over its message or byte rate), publishes and subscribes denied (another school\'s topics).',
  w: 12,
  h: 8,
  min: 0,
  targets: [
    influx(
      {
        select: ['connections_refused', 'packets_refused', 'login_failures', 'logins_delayed', 'publishes_slowed', 'publishes_denied', 'subscribes_denied', 'messages_too_large'].map(increase),
        from: ['collector_broker'],
        where: [tagIs('site', '_collector')],
        time: 'dashboard',
        byInterval: true,
        fill: 'none',
      },
      { alias: '$col' },
    ),
  ],
});

export const agentsDashboard: Dashboard = dashboard({
  uid: 'hm-agents',
  title: 'hallmonitor — agents',
  description: 'The agents: last heard, online, uptime, queue, spool, scheduler, check run times, SNMP timeouts, the machine they run on.',
  variables: [siteVariable({ multi: true })],
  panels: [
    online,
    offline,
    agents,
    health,
    uptime,
    queue,
    scheduler,
    spool,
    dropped,
    ingestRejected,
    ingestAccepted,
    messagesRefused,
    brokerRefusals,
    slowestPolls,
    pollDurations,
    snmpFailures,
    hostCpuMemory,
    hostLoad,
    hostTemperature,
    hostDisks,
    hostNetwork,
    connectedLong,
    hostLong,
  ],
});
