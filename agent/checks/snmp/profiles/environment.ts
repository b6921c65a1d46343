import { toTagValue, type FieldValue, type Sample } from '../../../../contract/index.ts';
import type { Profile } from './profile.ts';
import { CellReader, readTable } from './table.ts';

/**
 * Room probes (temperature, humidity) from the MIBs of the sensor makers schools' server rooms have:
 * one `environment` sample per probe, tags `sensor` (the probe's own name) and `sensor_index`, fields
 * `temperature_c` and `humidity_pct` where the probe has them.
 */
export interface SensorTable {
  name: string;
  object: string;
  /** Column of the probe's name. */
  label: string;
  temperature?: string;
  humidity?: string;
  /** Raw value ÷ this = degrees / percent. */
  divisor: number;
  /** Column whose value below `presentFrom` means no probe is plugged in at that row. */
  status?: { column: string; presentFrom: number };
  /** Instances of which a device with the table has one (its row count, its first row): asked for in the one shared GET. */
  shows?: readonly string[];
  /** A subtree walked once for several tables under it (one request where the device has none). */
  within?: string;
}

/** PowerNet-MIB environmental monitoring subtree, holding both the EMU's and the Environmental Manager's tables. */
const APC_ENVIRONMENT = '1.3.6.1.4.1.318.1.1.10';

export const SENSOR_TABLES: readonly SensorTable[] = [
  // PowerNet-MIB uioSensorStatusTable: probes on a UPS's or PDU's network management card (NMC2/NMC3).
  // Humidity -1 means the probe has none.
  {
    name: 'apc_uio',
    object: 'PowerNet-MIB uioSensorStatusTable',
    label: '1.3.6.1.4.1.318.1.1.25.1.2.1.3',
    temperature: '1.3.6.1.4.1.318.1.1.25.1.2.1.6',
    humidity: '1.3.6.1.4.1.318.1.1.25.1.2.1.7',
    divisor: 1,
    // uioSensorStatusTableSize, or the first probe's temperature (some cards leave out the size).
    shows: ['1.3.6.1.4.1.318.1.1.25.1.1.0', '1.3.6.1.4.1.318.1.1.25.1.2.1.6.1.1'],
  },
  // PowerNet-MIB memSensorsStatusTable (Environmental Manager, NetBotz-class units); -1 is "no sensor".
  {
    name: 'apc_mem',
    object: 'PowerNet-MIB memSensorsStatusTable',
    label: '1.3.6.1.4.1.318.1.1.10.4.2.3.1.3',
    temperature: '1.3.6.1.4.1.318.1.1.10.4.2.3.1.5',
    humidity: '1.3.6.1.4.1.318.1.1.10.4.2.3.1.6',
    divisor: 1,
    within: APC_ENVIRONMENT,
  },
  // PowerNet-MIB iemStatusProbesTable (Environmental Monitoring Unit).
  {
    name: 'apc_iem',
    object: 'PowerNet-MIB iemStatusProbesTable',
    label: '1.3.6.1.4.1.318.1.1.10.3.13.1.1.2',
    temperature: '1.3.6.1.4.1.318.1.1.10.3.13.1.1.3',
    humidity: '1.3.6.1.4.1.318.1.1.10.3.13.1.1.6',
    divisor: 1,
    within: APC_ENVIRONMENT,
  },
  // SPAGENT-MIB (AKCP sensorProbe): sensorProbeTempDegreeRaw in tenths; status 0/1 is no probe plugged in.
  {
    name: 'akcp_temperature',
    object: 'SPAGENT-MIB sensorProbeTempTable',
    label: '1.3.6.1.4.1.3854.1.2.2.1.16.1.1',
    temperature: '1.3.6.1.4.1.3854.1.2.2.1.16.1.14',
    divisor: 10,
    status: { column: '1.3.6.1.4.1.3854.1.2.2.1.16.1.4', presentFrom: 2 },
    shows: ['1.3.6.1.4.1.3854.1.2.2.1.16.1.1.0'], // the first port's row, which every sensorProbe has
  },
  {
    name: 'akcp_humidity',
    object: 'SPAGENT-MIB sensorProbeHumidityTable',
    label: '1.3.6.1.4.1.3854.1.2.2.1.17.1.1',
    humidity: '1.3.6.1.4.1.3854.1.2.2.1.17.1.13',
    divisor: 10,
    status: { column: '1.3.6.1.4.1.3854.1.2.2.1.17.1.4', presentFrom: 2 },
    shows: ['1.3.6.1.4.1.3854.1.2.2.1.17.1.1.0'],
  },
];

const round1 = (n: number) => Math.round(n * 10) / 10;

function tableProfile(t: SensorTable): Profile {
  const walked = t.within ?? (t.temperature ?? t.humidity)!;
  return {
    name: t.name,
    probes: t.shows === undefined ? [walked] : [],
    probeInstances: t.shows ?? [],
    detect: (_system, answered) => (t.shows === undefined ? answered(walked) : t.shows.some(answered)),
    async poll(session, ctx) {
      const columns: Record<string, string> = { label: t.label };
      if (t.temperature !== undefined) columns.temperature = t.temperature;
      if (t.humidity !== undefined) columns.humidity = t.humidity;
      if (t.status !== undefined) columns.status = t.status.column;
      const rows = await readTable(session, columns);
      const time = ctx.now();
      const samples: Sample[] = [];
      for (const row of rows) {
        const cells = new CellReader();
        const status = cells.number(row.status, 'status');
        if (t.status !== undefined && status !== undefined && status < t.status.presentFrom) continue;
        const fields: Record<string, FieldValue> = {};
        const temperature = cells.number(row.temperature, 'temperature');
        const humidity = cells.number(row.humidity, 'humidity');
        if (temperature !== undefined) fields.temperature_c = round1(temperature / t.divisor);
        // A negative humidity is the MIB's "no humidity sensor on this probe".
        if (humidity !== undefined && humidity >= 0) fields.humidity_pct = round1(humidity / t.divisor);
        const error = cells.error();
        if (error !== undefined) fields.error = error;
        if (Object.keys(fields).length === 0) continue;
        const label = cells.text(row.label, 'label')?.trim();
        const tags = { ...ctx.tags, sensor: toTagValue(label || `${t.name} ${row.index}`, 'sensor'), sensor_index: `${t.name}.${row.index}` };
        samples.push({ measurement: 'environment', tags, fields, time });
      }
      return { samples };
    },
  };
}

export const ENVIRONMENT_PROFILES: readonly Profile[] = SENSOR_TABLES.map(tableProfile);
