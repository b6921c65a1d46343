import { BigValueColorMode, type Dashboard } from '@grafana/schema';
import { dashboard } from './lib/dashboard.ts';
import { last, max, mean, min, tagMatches, type Column, type Measurement, type Query } from './lib/influxql.ts';
import { UP_DOWN, byName, byRegexp, colouredCell, stat, table, timeseries, transform, valueText } from './lib/panels.ts';
import { influx, longRange, rollupInflux } from './lib/target.ts';
import { deviceVariable, interfaceVariable, siteVariable } from './lib/variables.ts';

/**
 * One device ($site, $device) and its interfaces ($interface): reachability, latency and loss, uptime,
 * and per interface traffic, errors, discards and utilisation. Later issues add here: alert history,
 * Wi-Fi clients and radios (access points), supplies (printers), battery and load (UPS).
 */

const device = [tagMatches('site'), tagMatches('device')];
const interfaces = [...device, tagMatches('interface')];

/** A time series of `columns` per interval, one series per column (and per group). */
const overTime = (from: Measurement, columns: Column[], where: string[], groupBy: string[] = []): Query => ({
  select: columns,
  from: [from],
  where,
  time: 'dashboard',
  byInterval: true,
  groupBy,
  fill: 'null',
});

const reachability = stat({
  title: 'Reachability',
  description: 'The last ping and SNMP result in the selected range.',
  w: 6,
  h: 6,
  targets: [influx({ select: [last('up')], from: ['ping', 'snmp'], where: device, time: 'dashboard' }, { alias: '$measurement' })],
  mappings: [UP_DOWN],
});

const uptime = stat({
  title: 'Uptime',
  description: 'sysUpTime: time since the device\'s SNMP agent last restarted; a drop is a reboot.',
  w: 6,
  h: 6,
  unit: 's',
  colorMode: BigValueColorMode.None,
  sparkline: true,
  targets: [influx(overTime('snmp', [last('uptime_s', 'uptime')], device), { alias: 'uptime' })],
});

const snmpResponse = timeseries({
  title: 'SNMP response time',
  w: 12,
  h: 6,
  unit: 'ms',
  min: 0,
  targets: [influx(overTime('snmp', [mean('response_ms', 'response')], device), { alias: '$col' })],
});

const rtt = timeseries({
  title: 'Round-trip time',
  w: 12,
  h: 8,
  unit: 'ms',
  min: 0,
  targets: [
    influx(overTime('ping', [min('rtt_min_ms', 'min'), mean('rtt_avg_ms', 'avg'), max('rtt_max_ms', 'max'), mean('jitter_ms', 'jitter')], device), {
      alias: '$col',
    }),
  ],
});

const loss = timeseries({
  title: 'Packet loss',
  w: 12,
  h: 8,
  unit: 'percent',
  min: 0,
  max: 100,
  targets: [influx(overTime('ping', [mean('loss_pct', 'loss')], device), { alias: '$col' })],
});

/** In up, out drawn below the axis. */
const inOut = (title: string, unit: string, inField: string, outField: string, w: number) =>
  timeseries({
    title,
    w,
    h: 8,
    unit,
    targets: [influx(overTime('interface', [mean(inField, 'in'), mean(outField, 'out')], interfaces, ['interface']), { alias: '$tag_interface $col' })],
    overrides: [byRegexp('/ out$/', [{ id: 'custom.transform', value: 'negative-Y' }])],
  });

const traffic = inOut('Traffic', 'bps', 'in_bps', 'out_bps', 24);
const errors = inOut('Errors', 'pps', 'in_errors_ps', 'out_errors_ps', 12);
const discards = inOut('Discards', 'pps', 'in_discards_ps', 'out_discards_ps', 12);

const utilisation = timeseries({
  title: 'Utilisation',
  description: 'The busier direction against the interface speed.',
  w: 12,
  h: 8,
  unit: 'percent',
  min: 0,
  max: 100,
  targets: [influx(overTime('interface', [max('utilisation_pct', 'utilisation')], interfaces, ['interface']), { alias: '$tag_interface' })],
});

/** IF-MIB ifOperStatus / ifAdminStatus (RFC 2863). */
const IF_STATUS = valueText({
  1: ['up', 'green'],
  2: ['down', 'red'],
  3: ['testing', 'blue'],
  4: ['unknown', 'text'],
  5: ['dormant', 'text'],
  6: ['not present', 'text'],
  7: ['lower layer down', 'orange'],
});

const interfaceTable = table({
  title: 'Interfaces',
  w: 12,
  h: 8,
  targets: [
    influx(
      {
        select: [last('oper_status'), last('admin_status'), last('speed_bps'), last('counter_bits')],
        from: ['interface'],
        where: interfaces,
        time: 'dashboard',
        groupBy: ['interface', 'if_index'],
      },
      { format: 'table' },
    ),
  ],
  transformations: [transform.organize(['Time'])],
  overrides: [
    ...['oper_status', 'admin_status'].map((n) => byName(n, [{ id: 'mappings', value: [IF_STATUS] }, colouredCell])),
    byName('speed_bps', [{ id: 'unit', value: 'bps' }]),
  ],
});

const LONG = 'From the 5-minute rollups, kept for years (the raw samples are kept 45 days).';

const rttLong = timeseries({
  title: 'Round-trip time and loss, 90 days',
  description: `${LONG} Lowest, mean and highest round-trip time per interval; loss on the right axis.`,
  w: 12,
  h: 8,
  unit: 'ms',
  min: 0,
  ...longRange(),
  targets: [
    rollupInflux(overTime('ping', [min('rtt_min_ms', 'min'), mean('rtt_avg_ms', 'avg'), max('rtt_max_ms', 'max'), mean('loss_pct', 'loss')], device), {
      alias: '$col',
    }),
  ],
  overrides: [byName('loss', [{ id: 'unit', value: 'percent' }, { id: 'custom.axisPlacement', value: 'right' }])],
});

const trafficLong = timeseries({
  title: 'Traffic, 90 days',
  description: `${LONG} Mean traffic per interval, out drawn below the axis.`,
  w: 12,
  h: 8,
  unit: 'bps',
  ...longRange(),
  targets: [rollupInflux(overTime('interface', [mean('in_bps', 'in'), mean('out_bps', 'out')], interfaces, ['interface']), { alias: '$tag_interface $col' })],
  overrides: [byRegexp('/ out$/', [{ id: 'custom.transform', value: 'negative-Y' }])],
});

export const deviceDashboard: Dashboard = dashboard({
  uid: 'hm-device',
  title: 'hallmonitor — device',
  description: 'One device and its interfaces.',
  variables: [siteVariable(), deviceVariable(), interfaceVariable()],
  panels: [reachability, uptime, snmpResponse, rtt, loss, traffic, errors, discards, utilisation, interfaceTable, rttLong, trafficLong],
});
