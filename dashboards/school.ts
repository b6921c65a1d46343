import type { Dashboard } from '@grafana/schema';
import { alertAnnotations } from './lib/annotations.ts';
import { dashboard } from './lib/dashboard.ts';
import { col, field, last, max, mean, min, sum, tagIn, tagIs, tagMatches, type Query } from './lib/influxql.ts';
import { UP_DOWN, byName, byRegexp, colouredCell, stat, steps, table, timeseries, transform, valueText } from './lib/panels.ts';
import { printerSupplies, upsTable } from './lib/profiles.ts';
import { influx, longRange, rollupInflux } from './lib/target.ts';
import { siteVariable } from './lib/variables.ts';

/**
 * One school ($site): its agent, every device's state (with its class, vendor and model), the internet
 * link, the busiest interfaces and the uplinks, Wi-Fi clients, printer supplies and UPS state, the alerts in
 * force, and alerts as marks on the time series.
 */

const site = tagMatches('site');
const internet = tagIs('role', 'internet');
/** No interface is marked "uplink" in the data yet; the internet-facing devices' interfaces stand in. */
const uplinkRoles = tagIn('role', ['internet', 'firewall']);

/** Highest utilisation per interval of each uplink interface: over raw samples, or over the rollups. */
const uplinkUtilisation: Query = {
  select: [max('utilisation_pct')],
  from: ['interface'],
  where: [site, uplinkRoles],
  time: 'dashboard',
  byInterval: true,
  groupBy: ['device', 'interface'],
  fill: 'null',
};

const DEVICE_LINK = {
  title: 'Open device',
  url: '/d/hm-device/device?var-site=${site}&var-device=${__data.fields.device}&${__url_time_range}',
};

const agent = stat({
  title: 'Agent',
  description: 'Whether the school\'s agent is connected to the collector (its last status message).',
  w: 4,
  h: 7,
  targets: [influx({ select: [last('online')], from: ['agent_status'], where: [site], groupBy: ['agent'] }, { alias: '$tag_agent' })],
  mappings: [valueText({ 1: ['online', 'green'], 0: ['offline', 'red'] })],
});

const alertsNow = stat({
  title: 'Alerts in force',
  description:
    'The school\'s firing alerts now (the collector writes them each minute): how many, how many critical, acknowledged, and muted (silenced, in maintenance, behind a device that is down, or outside school hours: nobody is paged).',
  w: 6,
  h: 7,
  targets: [
    influx(
      { select: [last('firing'), last('critical'), last('acknowledged'), last('muted')], from: ['alerts_open'], where: [site], time: '5m' },
      { format: 'table' },
    ),
  ],
  transformations: [transform.organize(['Time'])],
  thresholds: steps(['green', 0], ['red', 1]),
});

const latency = timeseries({
  title: 'Internet latency and jitter',
  w: 10,
  h: 7,
  unit: 'ms',
  min: 0,
  targets: [
    influx(
      {
        select: [mean('rtt_avg_ms', 'latency'), mean('jitter_ms', 'jitter')],
        from: ['ping'],
        where: [site, internet],
        time: 'dashboard',
        byInterval: true,
        groupBy: ['device'],
        fill: 'null',
      },
      { alias: '$tag_device $col' },
    ),
  ],
});

const loss = timeseries({
  title: 'Internet packet loss',
  w: 10,
  h: 7,
  unit: 'percent',
  min: 0,
  max: 100,
  targets: [
    influx(
      { select: [mean('loss_pct', 'loss')], from: ['ping'], where: [site, internet], time: 'dashboard', byInterval: true, groupBy: ['device'], fill: 'null' },
      { alias: '$tag_device' },
    ),
  ],
});

const devices = table({
  title: 'Devices',
  description: 'Each device\'s last ping and SNMP result in the selected range. Click a row for the device.',
  w: 24,
  h: 12,
  targets: [
    influx(
      {
        select: [last('up', 'ping'), last('loss_pct'), last('rtt_avg_ms', 'rtt_ms')],
        from: ['ping'],
        where: [site],
        time: 'dashboard',
        groupBy: ['device', 'role'],
      },
      { format: 'table' },
    ),
    influx(
      {
        select: [last('up', 'snmp'), last('uptime_s'), last('response_ms', 'snmp_ms')],
        from: ['snmp'],
        where: [site],
        time: 'dashboard',
        groupBy: ['device', 'role'],
      },
      { format: 'table' },
    ),
    // What the SNMP probe found the device to be; written with every poll.
    influx(
      { select: [last('profiles')], from: ['device_info'], where: [site], time: 'dashboard', groupBy: ['device', 'role', 'class', 'vendor', 'model'] },
      { format: 'table' },
    ),
  ],
  // Without Time, ping, SNMP and device_info rows of one device share (device, role) and merge into one row.
  transformations: [transform.organize(['Time']), transform.merge()],
  sortBy: [{ displayName: 'device' }],
  links: [DEVICE_LINK],
  overrides: [
    ...['ping', 'snmp'].map((n) => byName(n, [{ id: 'mappings', value: [UP_DOWN] }, colouredCell])),
    byName('loss_pct', [{ id: 'unit', value: 'percent' }]),
    byName('rtt_ms', [{ id: 'unit', value: 'ms' }]),
    byName('snmp_ms', [{ id: 'unit', value: 'ms' }]),
    byName('uptime_s', [{ id: 'unit', value: 's' }]),
  ],
});

const topInterfaces = table({
  title: 'Busiest interfaces',
  description: 'The ten interfaces with the most traffic (in + out, mean over the selected range).',
  w: 12,
  h: 10,
  unit: 'bps',
  targets: [
    influx(
      {
        select: [col('total_bps', (f) => `top(${f('bps')}, "device", "interface", 10)`), field('in_bps'), field('out_bps')],
        from: {
          select: [col('bps', (f) => `mean(${f('in_bps', 'mean')}) + mean(${f('out_bps', 'mean')})`), mean('in_bps'), mean('out_bps')],
          from: ['interface'],
          where: [site],
          time: 'dashboard',
          groupBy: ['device', 'interface'],
        },
      },
      { format: 'table' },
    ),
  ],
  transformations: [transform.organize(['Time'])],
  sortBy: [{ displayName: 'total_bps', desc: true }],
  links: [DEVICE_LINK],
});

const uplinks = timeseries({
  title: 'Uplink utilisation',
  description: 'Interfaces of the internet router and firewall, highest utilisation per interval.',
  w: 12,
  h: 10,
  unit: 'percent',
  min: 0,
  max: 100,
  targets: [
    influx(uplinkUtilisation, { alias: '$tag_device $tag_interface' }),
  ],
});

const latencyLong = timeseries({
  title: 'Internet latency and loss, 90 days',
  description: 'From the 5-minute rollups, kept for years (the raw samples are kept 45 days). Loss on the right axis.',
  w: 12,
  h: 8,
  unit: 'ms',
  min: 0,
  ...longRange(),
  targets: [
    rollupInflux(
      {
        select: [mean('rtt_avg_ms', 'latency'), mean('jitter_ms', 'jitter'), mean('loss_pct', 'loss')],
        from: ['ping'],
        where: [site, internet],
        time: 'dashboard',
        byInterval: true,
        groupBy: ['device'],
        fill: 'null',
      },
      { alias: '$tag_device $col' },
    ),
  ],
  overrides: [byRegexp('/ loss$/', [{ id: 'unit', value: 'percent' }, { id: 'custom.axisPlacement', value: 'right' }])],
});

const availabilityLong = table({
  title: 'Device availability, 90 days',
  description: 'Share of checks answered per device and check kind, from the 5-minute rollups (each window weighs the same).',
  w: 12,
  h: 8,
  unit: 'percent',
  decimals: 2,
  min: 0,
  max: 100,
  thresholds: steps(['red', 0], ['orange', 99], ['green', 99.9]),
  ...longRange(),
  targets: (['ping', 'snmp'] as const).map((m) =>
    rollupInflux({ select: [col(m, (f) => `mean(${f('up', 'mean')}) * 100`)], from: [m], where: [site], time: 'dashboard', groupBy: ['device'] }, { format: 'table' }),
  ),
  transformations: [transform.organize(['Time']), transform.merge()],
  sortBy: [{ displayName: 'ping' }],
  links: [DEVICE_LINK],
  overrides: ['ping', 'snmp'].map((n) => byName(n, [colouredCell])),
});

const uplinksLong = timeseries({
  title: 'Uplink utilisation, 90 days',
  description: 'Highest 5-minute utilisation per interval of the internet router\'s and firewall\'s interfaces, from the rollups.',
  w: 24,
  h: 8,
  unit: 'percent',
  min: 0,
  max: 100,
  ...longRange(),
  targets: [
    rollupInflux(uplinkUtilisation, { alias: '$tag_device $tag_interface' }),
  ],
});

/**
 * Wi-Fi clients per interval: each radio's last count in the interval, summed per access point (`ap`; a
 * controller or a UniFi/Aruba Instant device reports several) — a plain sum over the interval would count
 * a radio once per poll.
 */
const clientsPerAp = (read: 'last' | 'max'): Query => ({
  select: [sum('clients')],
  from: {
    select: [read === 'last' ? last('clients') : max('clients')],
    from: ['wireless'],
    where: [site],
    time: 'dashboard',
    byInterval: true,
    groupBy: ['device', 'ap', 'radio'],
  },
  time: 'dashboard',
  byInterval: true,
  groupBy: ['device', 'ap'],
  fill: 'null',
});

const wifiClients = timeseries({
  title: 'Wi-Fi clients',
  description:
    'Connected clients per access point, and the school\'s total (every controller and AP, including those such as Ruckus Unleashed that report only a total).',
  w: 12,
  h: 8,
  min: 0,
  decimals: 0,
  targets: [
    influx(clientsPerAp('last'), { alias: '$tag_ap' }),
    influx(
      {
        select: [sum('clients', 'total')],
        from: { select: [last('wireless_clients', 'clients')], from: ['snmp'], where: [site], time: 'dashboard', byInterval: true, groupBy: ['device'] },
        time: 'dashboard',
        byInterval: true,
        fill: 'null',
      },
      { alias: 'total' },
    ),
  ],
  overrides: [byName('total', [{ id: 'custom.lineWidth', value: 2 }, { id: 'custom.fillOpacity', value: 0 }])],
});

const supplies = printerSupplies({ where: [site], groupBy: ['device', 'supply_index', 'supply', 'colour'], w: 12, h: 8 });

const ups = upsTable({ where: [site], groupBy: ['device'], w: 24, h: 6 });

const wifiLong = timeseries({
  title: 'Wi-Fi clients, 90 days',
  description: 'Peak clients per access point per interval (the highest 5-minute peak of each radio, summed), from the 5-minute rollups.',
  w: 12,
  h: 8,
  min: 0,
  decimals: 0,
  ...longRange(),
  targets: [rollupInflux(clientsPerAp('max'), { alias: '$tag_ap' })],
});

const upsLong = timeseries({
  title: 'UPS battery and load, 90 days',
  description: 'Lowest battery charge and highest load per interval, and whether the UPS ran on battery at all (right axis), from the 5-minute rollups.',
  w: 12,
  h: 8,
  unit: 'percent',
  min: 0,
  max: 100,
  ...longRange(),
  targets: [
    rollupInflux(
      {
        select: [min('battery_pct', 'battery'), max('load_pct', 'load'), max('on_battery')],
        from: ['ups'],
        where: [site],
        time: 'dashboard',
        byInterval: true,
        groupBy: ['device'],
        fill: 'null',
      },
      { alias: '$tag_device $col' },
    ),
  ],
  overrides: [
    byRegexp('/ on_battery$/', [
      { id: 'unit', value: 'none' },
      { id: 'max', value: 1 },
      { id: 'custom.axisPlacement', value: 'right' },
      { id: 'custom.drawStyle', value: 'bars' },
    ]),
  ],
});

export const school: Dashboard = dashboard({
  uid: 'hm-school',
  title: 'hallmonitor — school',
  description: 'One school: agent, devices, internet link, interfaces, Wi-Fi, printers, UPS.',
  variables: [siteVariable()],
  annotations: alertAnnotations([site]),
  panels: [
    agent,
    alertsNow,
    latency,
    loss,
    devices,
    topInterfaces,
    uplinks,
    wifiClients,
    supplies,
    ups,
    latencyLong,
    availabilityLong,
    uplinksLong,
    wifiLong,
    upsLong,
  ],
});
