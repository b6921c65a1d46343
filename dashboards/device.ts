import { BigValueColorMode, type Dashboard } from '@grafana/schema';
import { alertAnnotations } from './lib/annotations.ts';
import { dashboard } from './lib/dashboard.ts';
import { count, last, max, mean, min, tagIn, tagMatches, type Column, type Measurement, type Query } from './lib/influxql.ts';
import { UP_DOWN, byName, byRegexp, colouredCell, stat, steps, table, timeseries, transform, valueText } from './lib/panels.ts';
import { ON_BATTERY, UPS_COLUMNS, printerSupplies } from './lib/profiles.ts';
import { influx, longRange, rollupInflux } from './lib/target.ts';
import { deviceVariable, interfaceVariable, siteVariable } from './lib/variables.ts';

/**
 * One device ($site, $device) and its interfaces ($interface): reachability, latency and loss, uptime,
 * per interface traffic, errors, discards and utilisation; and what its SNMP profiles measure: CPU, memory
 * and storage (HOST-RESOURCES-MIB), printer state and supplies, UPS, Wi-Fi clients. A panel for a profile
 * the device lacks stays empty ("No data"). Later issues add here: alert history.
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

const cpu = timeseries({
  title: 'CPU',
  description: 'hrProcessorLoad (RFC 2790): each processor\'s load over the last minute, and their mean.',
  w: 12,
  h: 8,
  unit: 'percent',
  min: 0,
  max: 100,
  targets: [
    influx(overTime('host_cpu', [mean('load_pct')], device, ['cpu']), { alias: 'cpu $tag_cpu' }),
    influx(overTime('host', [mean('cpu_load_pct', 'mean')], device), { alias: 'mean' }),
  ],
  overrides: [byName('mean', [{ id: 'custom.lineWidth', value: 3 }, { id: 'custom.fillOpacity', value: 0 }])],
});

/** Storage areas worth a line: disks and flash, not the memory areas beside them in hrStorageTable. */
const DISK_KINDS = ['fixed_disk', 'removable_disk', 'flash_memory', 'network_disk'];

const memoryAndStorage = timeseries({
  title: 'Memory and storage use',
  description: 'Memory in use (as `free` counts it: without buffers and page cache) and the use of each disk or flash area.',
  w: 12,
  h: 8,
  unit: 'percent',
  min: 0,
  max: 100,
  targets: [
    influx(overTime('host', [mean('memory_used_pct', 'memory')], device), { alias: 'memory' }),
    influx(overTime('host_storage', [max('used_pct')], [...device, tagIn('kind', DISK_KINDS)], ['storage']), { alias: '$tag_storage' }),
  ],
  thresholds: steps(['green', 0], ['orange', 85], ['red', 95]),
});

/** hrDeviceStatus (RFC 2790), the printer's overall state. */
const DEVICE_STATUS = valueText({
  1: ['unknown', 'text'],
  2: ['running', 'green'],
  3: ['warning', 'orange'],
  4: ['testing', 'blue'],
  5: ['down', 'red'],
});
/** hrPrinterDetectedErrorState conditions (RFC 2790), as the agent's 0/1 fields. */
const PRINTER_FLAGS = ['no_paper', 'low_paper', 'jammed', 'door_open', 'no_toner', 'low_toner', 'offline', 'service_requested'];

const printerStatus = stat({
  title: 'Printer',
  description: 'The printer\'s state and the conditions it detects (hrPrinterDetectedErrorState), last reported in the selected range.',
  w: 12,
  h: 6,
  targets: [influx(overTime('printer', [last('device_status', 'status'), ...PRINTER_FLAGS.map((f) => last(f))], device), { alias: '$col' })],
  mappings: [valueText({ 0: ['no', 'green'], 1: ['yes', 'red'] })],
  overrides: [byName('status', [{ id: 'mappings', value: [DEVICE_STATUS] }])],
});

const supplies = printerSupplies({ where: device, groupBy: ['supply_index', 'supply', 'colour'], w: 12, h: 6 });

const ups = stat({
  title: 'UPS',
  description: 'On mains or battery, charge, estimated runtime, load and input voltage, last reported in the selected range.',
  w: 12,
  h: 6,
  // A stat panel shows numbers; battery_status (text) is in the school's UPS table.
  targets: [influx(overTime('ups', UPS_COLUMNS().filter((c) => c.as !== 'battery_status'), device), { alias: '$col' })],
  overrides: [
    byName('on_battery', [{ id: 'mappings', value: [ON_BATTERY] }]),
    byName('battery_pct', [{ id: 'unit', value: 'percent' }, { id: 'thresholds', value: steps(['red', 0], ['orange', 50], ['green', 90]) }]),
    byName('runtime_min', [{ id: 'unit', value: 'm' }]),
    byName('load_pct', [{ id: 'unit', value: 'percent' }, { id: 'thresholds', value: steps(['green', 0], ['orange', 80], ['red', 95]) }]),
    byName('input_voltage_v', [{ id: 'unit', value: 'volt' }]),
  ],
});

const upsOverTime = timeseries({
  title: 'UPS battery and load',
  w: 12,
  h: 6,
  unit: 'percent',
  min: 0,
  max: 100,
  targets: [influx(overTime('ups', [min('battery_pct', 'battery'), max('load_pct', 'load')], device), { alias: '$col' })],
});

const wifi = timeseries({
  title: 'Wi-Fi clients',
  description: 'Connected clients per access point and radio (band), for access points and controllers.',
  w: 24,
  h: 8,
  min: 0,
  decimals: 0,
  targets: [influx(overTime('wireless', [max('clients')], device, ['ap', 'radio', 'band']), { alias: '$tag_ap $tag_band ($tag_radio)' })],
});

const traps = timeseries({
  title: 'Traps',
  description: 'SNMP traps the agent received from this device, per interval and event (docs/traps-and-topology.md).',
  w: 12,
  h: 8,
  min: 0,
  decimals: 0,
  targets: [influx(overTime('snmp_trap', [count('trap_oid', 'traps')], device, ['event']), { alias: '$tag_event' })],
});

const neighbours = table({
  title: 'Neighbours (LLDP, CDP)',
  description: 'What this device saw on each of its ports: the neighbour\'s name, port and address.',
  w: 12,
  h: 8,
  targets: [
    influx(
      {
        select: [last('sys_name'), last('port_id'), last('address'), last('chassis_id')],
        from: ['neighbour'],
        where: device,
        time: 'dashboard',
        groupBy: ['protocol', 'interface', 'neighbour'],
      },
      { format: 'table' },
    ),
  ],
  transformations: [transform.organize(['Time'])],
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

const storageLong = timeseries({
  title: 'Memory and storage use, 90 days',
  description: `${LONG} Highest use per interval of memory and of each disk or flash area.`,
  w: 12,
  h: 8,
  unit: 'percent',
  min: 0,
  max: 100,
  ...longRange(),
  targets: [
    rollupInflux(overTime('host', [max('memory_used_pct', 'memory')], device), { alias: 'memory' }),
    rollupInflux(overTime('host_storage', [max('used_pct')], [...device, tagIn('kind', DISK_KINDS)], ['storage']), { alias: '$tag_storage' }),
  ],
  thresholds: steps(['green', 0], ['orange', 85], ['red', 95]),
});

const cpuLong = timeseries({
  title: 'CPU, 90 days',
  description: `${LONG} Mean and highest mean-of-processors load per interval.`,
  w: 12,
  h: 8,
  unit: 'percent',
  min: 0,
  max: 100,
  ...longRange(),
  targets: [rollupInflux(overTime('host', [mean('cpu_load_pct', 'mean'), max('cpu_load_pct', 'max')], device), { alias: '$col' })],
});

export const deviceDashboard: Dashboard = dashboard({
  uid: 'hm-device',
  title: 'hallmonitor — device',
  description: 'One device: reachability, interfaces, CPU, memory and storage, printer, UPS, Wi-Fi, traps, neighbours.',
  variables: [siteVariable(), deviceVariable(), interfaceVariable()],
  annotations: alertAnnotations([tagMatches('site'), tagMatches('device')]),
  panels: [
    reachability,
    uptime,
    snmpResponse,
    rtt,
    loss,
    traffic,
    errors,
    discards,
    utilisation,
    interfaceTable,
    cpu,
    memoryAndStorage,
    printerStatus,
    supplies,
    ups,
    upsOverTime,
    wifi,
    traps,
    neighbours,
    rttLong,
    trafficLong,
    cpuLong,
    storageLong,
  ],
});
