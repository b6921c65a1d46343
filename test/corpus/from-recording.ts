import { decodeEntry, recordingEntries, recordingInterfaceIndexes, type RecordingValue } from '../harness/index.ts';

/**
 * What a poll of a recording must find, computed from the .snmprec file itself (never typed by hand):
 * these read the raw `oid|type|value` lines and apply the MIBs' rules to them.
 */
function cells(name: string, column: string): Map<string, RecordingValue> {
  const prefix = `${column}.`;
  const out = new Map<string, RecordingValue>();
  for (const entry of recordingEntries(name)) {
    if (entry.oid.startsWith(prefix)) out.set(entry.oid.slice(prefix.length), decodeEntry(entry));
  }
  return out;
}

function num(value: RecordingValue | undefined): number | undefined {
  return value !== undefined && 'value' in value && typeof value.value === 'number' ? value.value : undefined;
}

function scalar(name: string, oid: string): number | undefined {
  const entry = recordingEntries(name).find((e) => e.oid === oid);
  return entry === undefined ? undefined : num(decodeEntry(entry));
}

export function expectedInterfaceCount(name: string): number {
  return recordingInterfaceIndexes(name).length;
}

export interface ExpectedSupply {
  index: string;
  description: string | undefined;
  /** undefined when RFC 3805 gives no percentage (level -1/-2/-3; a level above 0 with capacity -1/-2/0). */
  levelPct: number | undefined;
  state: string;
}

const SUPPLY = '1.3.6.1.2.1.43.11.1.1';

/** RFC 3805 prtMarkerSuppliesTable rows, with level % by the special-value rules. */
export function expectedSupplies(name: string): ExpectedSupply[] {
  const rows = new Set<string>();
  for (const col of [3, 4, 5, 6, 7, 8, 9]) for (const index of cells(name, `${SUPPLY}.${col}`).keys()) rows.add(index);
  const descr = cells(name, `${SUPPLY}.6`);
  const max = cells(name, `${SUPPLY}.8`);
  const level = cells(name, `${SUPPLY}.9`);
  return [...rows].map((index) => {
    const l = num(level.get(index));
    const m = num(max.get(index));
    const d = descr.get(index);
    const special: Record<number, string> = { [-1]: 'other', [-2]: 'unknown', [-3]: 'some_remaining' };
    let state: string;
    if (l === undefined) state = 'unknown';
    else if (l < 0) state = special[l] ?? 'unknown';
    else if (l === 0) state = 'percent';
    else if (m === -1) state = 'other';
    else if (m === undefined || m <= 0) state = 'unknown';
    else state = 'percent';
    return {
      index,
      description: d !== undefined && 'text' in d ? d.text : undefined,
      // RFC 3805: 0 is empty whatever the capacity; percentages to 0.1.
      levelPct: l === 0 ? 0 : state === 'percent' ? Math.round((l! * 1000) / m!) / 10 : undefined,
      state,
    };
  });
}

export interface ExpectedPrinter {
  index: string;
  deviceStatus: number | undefined;
  /** hrPrinterDetectedErrorState bits 1 (noPaper) and 5 (jammed), RFC 3805 §2.2.13.4; undefined without the object. */
  noPaper: number | undefined;
  jammed: number | undefined;
}

/**
 * Printers: hrPrinterTable rows and hrDeviceTable rows of type hrDevicePrinter (RFC 2790), on a device that
 * speaks the Printer-MIB or has hrPrinterDetectedErrorState. A Windows server's print queues are
 * hrDevicePrinter rows too, but the server is not a printer.
 */
export function expectedPrinters(name: string): ExpectedPrinter[] {
  const isPrinter = [`${SUPPLY}.9`, `${SUPPLY}.6`, '1.3.6.1.2.1.25.3.5.1.2'].some((column) => cells(name, column).size > 0);
  if (!isPrinter) return [];
  const types = cells(name, '1.3.6.1.2.1.25.3.2.1.2');
  const status = cells(name, '1.3.6.1.2.1.25.3.2.1.5');
  const printerStatus = cells(name, '1.3.6.1.2.1.25.3.5.1.1');
  const errors = cells(name, '1.3.6.1.2.1.25.3.5.1.2');
  const indexes = new Set([...printerStatus.keys(), ...errors.keys()]);
  for (const [index, t] of types) if ('value' in t && t.value === '1.3.6.1.2.1.25.3.1.5') indexes.add(index);
  return [...indexes].map((index) => {
    const e = errors.get(index);
    const first = e !== undefined && 'bytes' in e ? (e.bytes[0] ?? 0) : undefined;
    return {
      index,
      deviceStatus: num(status.get(index)),
      noPaper: first === undefined ? undefined : (first >> 6) & 1,
      jammed: first === undefined ? undefined : (first >> 2) & 1,
    };
  });
}

export interface ExpectedUps {
  onBattery: number | undefined;
  batteryPct: number | undefined;
  runtimeMin: number | undefined;
  loadPct: number | undefined;
  inputVoltage: number | undefined;
}

/** UPS-MIB (RFC 1628) or, for an APC card, PowerNet-MIB values; undefined when the file has no UPS. */
export function expectedUps(name: string): ExpectedUps | undefined {
  const apc = '1.3.6.1.4.1.318.1.1.1';
  if (recordingEntries(name).some((e) => e.oid.startsWith(`${apc}.`))) {
    const tenths = (high: string, whole: string) => {
      const h = scalar(name, `${apc}.${high}`);
      return h !== undefined ? h / 10 : scalar(name, `${apc}.${whole}`);
    };
    const out = scalar(name, `${apc}.4.1.1.0`);
    const runtime = scalar(name, `${apc}.2.2.3.0`);
    return {
      onBattery: out === undefined ? undefined : Number(out === 3),
      batteryPct: tenths('2.3.1.0', '2.2.1.0'),
      runtimeMin: runtime === undefined ? undefined : runtime / 100 / 60,
      loadPct: tenths('4.3.3.0', '4.2.3.0'),
      inputVoltage: tenths('3.3.1.0', '3.2.1.0'),
    };
  }
  const ups = '1.3.6.1.2.1.33.1';
  if (!recordingEntries(name).some((e) => e.oid.startsWith(`${ups}.2.`))) return undefined;
  const source = scalar(name, `${ups}.4.1.0`);
  const loads = [...cells(name, `${ups}.4.4.1.5`).values()].map(num).filter((v): v is number => v !== undefined);
  return {
    onBattery: source === undefined ? undefined : Number(source === 5),
    batteryPct: scalar(name, `${ups}.2.4.0`),
    runtimeMin: scalar(name, `${ups}.2.3.0`),
    loadPct: loads.length > 0 ? Math.max(...loads) : undefined,
    inputVoltage: num([...cells(name, `${ups}.3.3.1.3`).values()][0]),
  };
}

/**
 * hrProcessorLoad rows, hrStorage rows with their used % where the size is above zero (RFC 2790), and
 * memory in use: the RAM row named physical/real memory (else the first RAM row), less net-snmp's
 * "Memory buffers" and "Cached memory" rows.
 */
export function expectedHostResources(name: string): { processors: number; storage: Map<string, number | undefined>; memoryPct: number | undefined } {
  const entry = '1.3.6.1.2.1.25.2.3.1';
  const type = cells(name, `${entry}.2`);
  const descr = cells(name, `${entry}.3`);
  const units = cells(name, `${entry}.4`);
  const size = cells(name, `${entry}.5`);
  const used = cells(name, `${entry}.6`);
  const storage = new Map<string, number | undefined>();
  const rows: { index: string; ram: boolean; descr: string; sizeBytes: number; usedBytes: number | undefined }[] = [];
  for (const index of units.keys()) {
    const s = num(size.get(index));
    const u = num(used.get(index));
    const unit = num(units.get(index)) ?? 0;
    storage.set(index, s !== undefined && s > 0 && u !== undefined && u >= 0 ? (u / s) * 100 : undefined);
    const t = type.get(index);
    const d = descr.get(index);
    rows.push({
      index,
      ram: t !== undefined && 'value' in t && t.value === '1.3.6.1.2.1.25.2.1.2',
      descr: d !== undefined && 'text' in d ? d.text : '',
      sizeBytes: (s ?? 0) * unit,
      usedBytes: u === undefined ? undefined : u * unit,
    });
  }
  const ram = rows.filter((r) => r.ram && r.sizeBytes > 0 && r.usedBytes !== undefined);
  const physical = ram.find((r) => /^(physical|real) memory/i.test(r.descr)) ?? ram[0];
  const usedOf = (d: string) => rows.find((r) => r.descr === d)?.usedBytes ?? 0;
  const memoryPct =
    physical === undefined ? undefined : (Math.max(0, physical.usedBytes! - usedOf('Memory buffers') - usedOf('Cached memory')) / physical.sizeBytes) * 100;
  const hrProcessors = cells(name, '1.3.6.1.2.1.25.3.3.1.2').size;
  // Without HOST-RESOURCES processors, a Cisco device's come from CISCO-PROCESS-MIB cpmCPUTotal5minRev
  // (profiles/cpu-vendor.ts): one host_cpu row per numeric cell.
  const objectId = cells(name, '1.3.6.1.2.1.1.2').get('0');
  const cisco = objectId !== undefined && 'value' in objectId && /^\.?1\.3\.6\.1\.4\.1\.9\./.test(String(objectId.value));
  const cpm = cisco ? [...cells(name, '1.3.6.1.4.1.9.9.109.1.1.1.1.8').values()].filter((c) => num(c) !== undefined).length : 0;
  return { processors: hrProcessors > 0 ? hrProcessors : cpm, storage, memoryPct };
}

/** Connected clients per the vendor's per-radio (or per-SSID) count column; undefined if it has none. */
export function expectedWirelessClients(name: string): number | undefined {
  const columns = [
    '1.3.6.1.4.1.41112.1.6.1.2.1.8', // UBNT-UniFi-MIB unifiVapNumStations
    '1.3.6.1.4.1.14823.2.3.3.1.2.2.1.21', // AI-AP-MIB aiRadioClientNum
    '1.3.6.1.4.1.14179.2.2.2.1.15', // AIRESPACE-WIRELESS-MIB bsnApIfNoOfUsers
  ];
  for (const column of columns) {
    const values = [...cells(name, column).values()].map(num).filter((v): v is number => v !== undefined && v >= 0);
    if (values.length > 0) return values.reduce((a, b) => a + b, 0);
  }
  // Controllers' own totals: Ruckus Unleashed, FortiGate fgWcInfoStationCount, ArubaOS
  // wlsxSwitchTotalNumStationsAssociated, HiveOS ahClientCount, Ruckus SmartZone and ZoneDirector.
  const totals = [
    '1.3.6.1.4.1.25053.1.15.1.1.1.15.2.0',
    '1.3.6.1.4.1.12356.101.14.2.7.0',
    '1.3.6.1.4.1.14823.2.2.1.1.3.2.0',
    '1.3.6.1.4.1.26928.1.2.9.0',
    '1.3.6.1.4.1.25053.1.4.1.1.1.15.2.0',
    '1.3.6.1.4.1.25053.1.2.1.1.1.15.2.0',
  ];
  return totals.map((oid) => scalar(name, oid)).find((v) => v !== undefined);
}
