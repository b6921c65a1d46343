import { BigValueColorMode, type Dashboard } from '@grafana/schema';
import { dashboard } from './lib/dashboard.ts';
import { col, count, field, last, max, mean, sum, tagIs, type Query, type TimeRange } from './lib/influxql.ts';
import { byName, colouredCell, stat, steps, table, timeseries, transform, valueText } from './lib/panels.ts';
import { dailyInflux, influx, longRange } from './lib/target.ts';

/**
 * Provider overview: every school at a glance, which are offline, how available each has been, the
 * worst internet links, the devices by class, and schools with a UPS on battery or a printer out of toner.
 * and the alerts in force per school.
 */

/** How recent a device's last check result must be to count as its state "now" (checks run every 60 s). */
const NOW: TimeRange = '5m';

const SCHOOL_LINK = { title: 'Open school', url: '/d/hm-school/school?var-site=${__data.fields.site}&${__url_time_range}' };

/**
 * Tile state per school, as one number: -1 agent online but no recent results, 0 every device up,
 * 0.5 some down, 1 every device of a check kind down, 2 agent offline. The device part is the collector's
 * `school_state` (collector/school-state/): per check kind 1 − the mean of the distinct last `up` values of
 * the school's devices in the last 5 minutes ({1}: 0, {0}: 1, {0, 1}: 0.5), the worst kind, written each
 * minute; -1 once results stop (the tile then shows
 * what the agent part says, as before). One series per school: at 1,000 schools the raw form read ~51,000 ping and
 * snmp series through nested subqueries (3.5 s on a quiet 2-core machine; docs/dashboards.md). The agent
 * part is read from `agent_status` as before; each query yields rows (site, state) and the panel keeps
 * the worst per site.
 */
const deviceState: Query = {
  select: [field('state')],
  // -1 (results stopped) is left to the agent part, which says -1 only while the agent is online, as before.
  from: { select: [last('state')], from: ['school_state'], time: NOW, groupBy: ['site'] },
  where: ['"state" >= 0'],
  groupBy: ['site'],
};
/** Per site: the last status of each of its agents; offline when none is online. */
const lastOnline: Query = { select: [last('online')], from: ['agent_status'], groupBy: ['site', 'agent'] };
const agentState: Query = {
  select: [col('state', (f) => `3 * (1 - max(${f('online')})) - 1`)],
  from: lastOnline,
  groupBy: ['site'],
};

const schools = stat({
  title: 'Schools',
  description: 'One tile per school: its devices\' last ping and SNMP results (last 5 minutes) and whether its agent is connected.',
  w: 24,
  h: 8,
  targets: [influx(deviceState, { format: 'table' }), influx(agentState, { format: 'table' })],
  transformations: [transform.merge(), transform.groupBy('site', { state: 'max' })],
  perRow: { fields: '/^state/' },
  displayName: '${__data.fields.site}',
  links: [SCHOOL_LINK],
  mappings: [
    valueText({
      '-1': ['no recent data', 'text'],
      0: ['up', 'green'],
      0.5: ['degraded', 'orange'],
      1: ['down', 'red'],
      2: ['agent offline', 'purple'],
    }),
  ],
});

const sitesOffline = stat({
  title: 'Schools offline',
  description: 'Schools none of whose agents is connected to the collector.',
  w: 12,
  h: 4,
  targets: [influx({ select: [sum('offline')], from: { select: [col('offline', (f) => `1 - max(${f('online')})`)], from: lastOnline, groupBy: ['site'] } })],
  thresholds: steps(['green', 0], ['red', 1]),
});

const checksFailing = stat({
  title: 'Checks failing now',
  description: 'Devices whose last ping or SNMP check (last 5 minutes) failed, by check kind.',
  w: 12,
  h: 4,
  targets: [
    // Per school its collector-written count (school_state), summed: one series per school.
    influx(
      {
        select: [sum('ping'), sum('snmp')],
        from: { select: [last('ping_failed', 'ping'), last('snmp_failed', 'snmp')], from: ['school_state'], time: NOW, groupBy: ['site'] },
      },
      { alias: '$col' },
    ),
  ],
  thresholds: steps(['green', 0], ['red', 1]),
});

const devicesByClass = stat({
  title: 'Devices by class',
  description: 'SNMP devices polled in the last 5 minutes, by the class the agent found (switch, wireless, firewall, server, printer, ups, other).',
  w: 12,
  h: 4,
  colorMode: BigValueColorMode.None,
  targets: [
    influx(
      { select: [count('profiles', 'devices')], from: { select: [last('profiles')], from: ['device_info'], time: NOW, groupBy: ['site', 'device', 'class'] }, groupBy: ['class'] },
      { alias: '$tag_class' },
    ),
  ],
});

/**
 * How many schools have a device whose last 0/1 `field` (last 5 minutes) is 1: per school the highest
 * flag of its devices, summed; 0 rather than nothing when no school has one.
 */
const schoolsWith = (field: string, from: 'ups' | 'printer'): Query => ({
  select: [sum('flag', 'schools')],
  from: {
    select: [max('flag')],
    from: { select: [last(field, 'flag')], from: [from], time: NOW, groupBy: ['site', 'device'] },
    groupBy: ['site'],
  },
});

const upsOnBattery = stat({
  title: 'Schools with a UPS on battery',
  description: 'Schools where a UPS reported running on battery in its last poll (last 5 minutes): mains power is off, or the UPS is testing.',
  w: 6,
  h: 4,
  targets: [influx(schoolsWith('on_battery', 'ups'))],
  thresholds: steps(['green', 0], ['red', 1]),
});

const outOfToner = stat({
  title: 'Schools with a printer out of toner',
  description: 'Schools where a printer reported "no toner" (hrPrinterDetectedErrorState) in its last poll (last 5 minutes).',
  w: 6,
  h: 4,
  targets: [influx(schoolsWith('no_toner', 'printer'))],
  thresholds: steps(['green', 0], ['orange', 1]),
});

/** Per school, its alert counts now (the collector writes them each minute, also when all are 0). */
const alertsBySchool: Query = {
  select: [last('firing'), last('critical'), last('acknowledged'), last('muted')],
  from: ['alerts_open'],
  time: NOW,
  groupBy: ['site'],
};

const alertsFiring = stat({
  title: 'Alerts firing',
  description: 'Firing alerts at every school now, and how many of them are critical.',
  w: 6,
  h: 4,
  targets: [influx({ select: [sum('firing'), sum('critical')], from: alertsBySchool })],
  thresholds: steps(['green', 0], ['red', 1]),
});

const alertsTable = table({
  title: 'Alerts by school',
  description: 'Per school: firing alerts, critical ones, acknowledged ones, and muted ones (nobody is paged: silenced, maintenance, behind a device that is down, or outside school hours).',
  w: 12,
  h: 8,
  targets: [influx(alertsBySchool, { format: 'table' })],
  transformations: [transform.organize(['Time'])],
  sortBy: [{ displayName: 'firing', desc: true }],
  links: [SCHOOL_LINK],
  overrides: [byName('firing', [{ id: 'thresholds', value: steps(['green', 0], ['red', 1]) }, colouredCell])],
});

/** The same share over whole UTC days from the daily ping rollup: Σ of the windows' `mean_up` / Σ windows. */
const dailyAvailability = (as: string, time: TimeRange): Query => ({
  select: [col(as, (f) => `sum(${f('up', 'sum')}) / sum(${f('windows', 'sum')}) * 100`)],
  from: ['ping_site_1d'],
  time,
  groupBy: ['site'],
});

/**
 * Today, 7 days, 30 days and 12 months read the daily ping rollup (collector/storage/retention-cq.ts): per school
 * and UTC day, the sum of its devices' 5-minute windows' `mean_up` and their count, so the column is exactly
 * the mean of the 5-minute windows, each device's 5 minutes weighing the same, from one series per school
 * (a month of 5-minute windows at 1,000 schools took influxd 26–32 s, the daily rollup 0.3 s; docs/sizing.md run 12). It equals the raw mean
 * whenever the windows hold the same number of checks (a steady poll; whole windows missing do not
 * matter). Where a device misses polls inside windows, the raw mean weighs its fewer checks less and this
 * does not (test/dashboards/overview-sources.test.ts: ~4 points with a printer missing a third). The exact
 * Σ(mean_up × samples) / Σ samples needs a raw subquery in InfluxDB 1.x, which cost 4x the raw mean's CPU
 * (docs/dashboards.md). Left out: the last hour or so, which the collector has not rolled up yet (each hour
 * is rolled up per school within about 50 minutes of closing), and the part of the first day before the range starts (days count from their UTC midnight).
 * Today too: the raw samples since midnight of every device (25,500 at 1,000 schools) took influxd 2.3 s by
 * the afternoon in run 16 (docs/sizing.md), and "today" was the only column to count checks rather than windows.
 */
const availabilityTable = table({
  title: 'Availability',
  description:
    'Share of ping checks answered per school: today so far (UTC day), the last 7 days, 30 days and 12 months, from the daily rollups of the 5-minute windows (up to the last hour or two), fixed whatever the time picker says.',
  w: 12,
  h: 10,
  timeFrom: 'now/d',
  unit: 'percent',
  decimals: 2,
  min: 0,
  max: 100,
  thresholds: steps(['red', 0], ['orange', 99], ['green', 99.9]),
  targets: [
    // The current UTC day's row: `now() - 1d` reaches back past its midnight and not to the day before's.
    dailyInflux(dailyAvailability('today', '1d'), { format: 'table' }),
    dailyInflux(dailyAvailability('7 days', '7d'), { format: 'table' }),
    dailyInflux(dailyAvailability('30 days', '30d'), { format: 'table' }),
    dailyInflux(dailyAvailability('12 months', '365d'), { format: 'table' }),
  ],
  transformations: [transform.organize(['Time']), transform.merge()],
  sortBy: [{ displayName: '30 days' }],
  links: [SCHOOL_LINK],
  overrides: ['today', '7 days', '30 days', '12 months'].map((n) => byName(n, [colouredCell])),
});

/** An internet link's columns over a fixed window: mean loss, latency and jitter, and the worst round trip. */
const linkColumns = (storage: 'raw' | 'daily') =>
  storage === 'raw'
    ? [mean('loss_pct'), mean('rtt_avg_ms', 'latency_ms'), mean('jitter_ms'), max('rtt_max_ms', 'worst_rtt_ms')]
    : [
        // Σ of the days' window means / Σ of their windows: the mean of the link's 5-minute windows.
        ...(
          [
            ['loss_pct', 'loss_pct'],
            ['rtt_avg_ms', 'latency_ms'],
            ['jitter_ms', 'jitter_ms'],
          ] as const
        ).map(([f, as]) => col(as, (ref) => `sum(${ref(f, 'sum')}) / sum(${ref(`windows_${f}`, 'sum')})`)),
        max('rtt_max_ms', 'worst_rtt_ms'),
      ];

const linkTable = (title: string, description: string, target: ReturnType<typeof influx>, window: string, minInterval?: string) =>
  table({
    title,
    description,
    w: 12,
    h: 10,
    timeFrom: window,
    ...(minInterval === undefined ? {} : { minInterval }),
    targets: [target],
    transformations: [transform.organize(['Time'])],
    sortBy: [{ displayName: 'loss_pct', desc: true }],
    links: [SCHOOL_LINK],
    overrides: [
      byName('loss_pct', [{ id: 'unit', value: 'percent' }, { id: 'thresholds', value: steps(['green', 0], ['orange', 1], ['red', 5]) }, colouredCell]),
      ...['latency_ms', 'jitter_ms', 'worst_rtt_ms'].map((n) => byName(n, [{ id: 'unit', value: 'ms' }])),
    ],
  });

/**
 * The overview's internet panels read fixed windows, not the time picker: at 1,000 schools the raw pings of
 * every router over 30 days took influxd 37 s ("worst links") and 12 s (loss by school) in run 16
 * (docs/sizing.md). The last hour and 12 hours read the raw samples; 30 and 90 days the daily internet
 * rollup (collector/storage/retention-cq.ts), a row per link and day. One school over any range: its dashboard.
 */
const internetLinks = linkTable(
  'Worst internet links, last hour',
  'Devices with role "internet", by packet loss over the last hour (raw samples).',
  influx({ select: linkColumns('raw'), from: ['ping'], where: [tagIs('role', 'internet')], time: 'dashboard', groupBy: ['site', 'device'] }, { format: 'table' }),
  '1h',
);

const internetLinksMonth = linkTable(
  'Worst internet links, 30 days',
  'Devices with role "internet", by packet loss over the last 30 days: the mean of their 5-minute windows, from the daily rollups (up to the last hour or two).',
  dailyInflux({ select: linkColumns('daily'), from: ['ping_internet_1d'], time: 'dashboard', groupBy: ['site', 'device'] }, { format: 'table' }),
  '30d',
  '1d',
);

const internetLoss = timeseries({
  title: 'Internet packet loss by school, 12 hours',
  w: 24,
  h: 8,
  unit: 'percent',
  min: 0,
  // 12 hours in 5-minute steps: at 1,000 schools 24 hours of raw router pings at Grafana's ~1,000 points a
  // line were 1 M values to send (1.3–4.6 s in influxd), in 5-minute steps still 2.1–2.5 s (fleet-dashboards
  // runs of 2026-12-07; the 1-hour budget is 2 s). Longer: the 90-day panel, from the daily rollup.
  timeFrom: '12h',
  minInterval: '5m',
  targets: [
    influx(
      { select: [mean('loss_pct')], from: ['ping'], where: [tagIs('role', 'internet')], time: 'dashboard', byInterval: true, groupBy: ['site'], fill: 'null' },
      { alias: '$tag_site' },
    ),
  ],
});

const lossByMonth = timeseries({
  title: 'Internet packet loss by school, 90 days',
  description: 'Daily mean of the internet links\' 5-minute windows, from the daily rollups, which are kept for years (the raw samples are kept 45 days).',
  w: 24,
  h: 8,
  unit: 'percent',
  min: 0,
  ...longRange(),
  minInterval: '1d',
  targets: [
    dailyInflux(
      {
        select: [col('loss_pct', (ref) => `sum(${ref('loss_pct', 'sum')}) / sum(${ref('windows_loss_pct', 'sum')})`)],
        from: ['ping_internet_1d'],
        time: 'dashboard',
        byInterval: true,
        groupBy: ['site'],
        fill: 'null',
      },
      { alias: '$tag_site' },
    ),
  ],
});

export const overview: Dashboard = dashboard({
  uid: 'hm-overview',
  title: 'hallmonitor — provider overview',
  description: 'Every school at a glance.',
  panels: [schools, sitesOffline, checksFailing, alertsFiring, devicesByClass, upsOnBattery, outOfToner, alertsTable, availabilityTable, internetLinks, internetLinksMonth, internetLoss, lossByMonth],
});
