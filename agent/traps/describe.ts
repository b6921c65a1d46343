import {
  KNOWN_TRAPS,
  PETH_DETECTION,
  PETH_PORT_ON_OFF,
  PRINTER_ALERT_CODES,
  PRINTER_ALERT_GROUPS,
  PRINTER_V2_ALERT,
  UPS_ALARM_ENTRY_ADDED,
  UPS_ALARM_ENTRY_REMOVED,
  UPS_WELL_KNOWN_ALARMS,
  type TrapSeverity,
  type TrapState,
} from './catalogue.ts';
import type { Trap } from './normalise.ts';

/** What a trap tells about its device, ready to become a sample. */
export interface TrapEvent {
  /** What happened: link-down, ups-on-battery, printer-jam, ..., or unknown. */
  event: string;
  /** The fault this is about: the event itself for a fault, the fault it ends for a clear. */
  condition: string;
  state: TrapState;
  severity: TrapSeverity;
  /** One line for a person, without the device's name. */
  text: string;
  /** For interface traps: the interface, named as the poller names it where it knows the ifIndex. */
  interface?: string;
  ifIndex?: number;
}

/** The poller's interface names by ifIndex for one device, so a trap's ifIndex reads as "Gi1/0/12". */
export type InterfaceNames = (ifIndex: number) => string | undefined;

// IF-MIB ifEntry (RFC 2863): ifIndex .1, ifDescr .2, ifAdminStatus .7, ifOperStatus .8; ifXEntry ifName .1.
const IF_ENTRY = '1.3.6.1.2.1.2.2.1.';
const IF_X_ENTRY = '1.3.6.1.2.1.31.1.1.1.';
const ADMIN_DOWN = '2';
// Printer-MIB prtAlertEntry (RFC 3805 §2.2.13) columns, indexed by hrDeviceIndex.prtAlertIndex.
const PRT_ALERT = '1.3.6.1.2.1.43.18.1.1.';
const PRT_SUBUNIT_EMPTY = 13;
const PRT_SUBUNIT_ALMOST_EMPTY = 12;
const PRT_GROUP_INPUT = 8;
const PRT_GROUP_SUPPLIES = 11;
// UPS-MIB upsAlarmDescr (RFC 1628 §upsAlarmTable).
const UPS_ALARM_DESCR = '1.3.6.1.2.1.33.1.6.2.1.2.';

export function describeTrap(trap: Trap, names: InterfaceNames = () => undefined): TrapEvent {
  if (trap.oid === PRINTER_V2_ALERT) return printerAlert(trap);
  if (trap.oid === PETH_PORT_ON_OFF) return poePort(trap);
  if (trap.oid === UPS_ALARM_ENTRY_ADDED || trap.oid === UPS_ALARM_ENTRY_REMOVED) {
    const alarm = upsAlarm(trap);
    if (alarm !== undefined) return alarm;
  }
  const known = KNOWN_TRAPS.get(trap.oid);
  if (known === undefined) return { event: 'unknown', condition: 'unknown', state: 'info', severity: 'info', text: `trap ${trap.oid}` };
  const event: TrapEvent = {
    event: known.event,
    condition: known.clears ?? known.event,
    state: known.state,
    severity: known.severity,
    text: known.text,
  };
  if (known.event === 'link-down' || known.event === 'link-up') linkSubject(trap, names, event);
  return event;
}

/** linkDown/linkUp carry ifIndex, ifAdminStatus, ifOperStatus (RFC 2863 §6); some add ifDescr or ifName. */
function linkSubject(trap: Trap, names: InterfaceNames, event: TrapEvent): void {
  let ifIndex: number | undefined;
  let descr: string | undefined;
  let name: string | undefined;
  let admin: string | undefined;
  for (const vb of trap.varbinds) {
    const column = ifColumn(vb.oid);
    if (column === undefined) continue;
    ifIndex ??= column.index;
    if (column.table === 'if' && column.column === 1) ifIndex = Number(vb.value) || column.index;
    if (column.table === 'if' && column.column === 2) descr = vb.value;
    if (column.table === 'if' && column.column === 7) admin = vb.value;
    if (column.table === 'ifX' && column.column === 1) name = vb.value;
  }
  if (ifIndex !== undefined) {
    event.ifIndex = ifIndex;
    event.interface = names(ifIndex) ?? nonEmpty(name) ?? nonEmpty(descr) ?? `ifIndex ${ifIndex}`;
  }
  // A port shut down on purpose is not a fault to page about.
  if (event.event === 'link-down' && admin === ADMIN_DOWN) {
    event.state = 'info';
    event.severity = 'info';
    event.text = 'link down (shut down by an administrator)';
  }
}

function ifColumn(oid: string): { table: 'if' | 'ifX'; column: number; index: number } | undefined {
  const table = oid.startsWith(IF_ENTRY) ? 'if' : oid.startsWith(IF_X_ENTRY) ? 'ifX' : undefined;
  if (table === undefined) return undefined;
  const [column, index, ...rest] = oid.slice((table === 'if' ? IF_ENTRY : IF_X_ENTRY).length).split('.').map(Number);
  if (rest.length > 0 || !Number.isInteger(column) || !Number.isInteger(index) || index! < 1) return undefined;
  return { table, column: column!, index: index! };
}

function printerAlert(trap: Trap): TrapEvent {
  const column = (n: number) => trap.varbinds.find((vb) => vb.oid.startsWith(`${PRT_ALERT}${n}.`))?.value;
  const code = Number(column(7));
  const group = Number(column(4));
  const location = column(6);
  const part = PRINTER_ALERT_GROUPS.get(group);
  const where = part !== undefined ? ` (${part})` : '';
  let known = PRINTER_ALERT_CODES.get(code);
  // subunitEmpty/AlmostEmpty say which subunit only through prtAlertGroup: a tray (paper) or a supply (toner).
  if (code === PRT_SUBUNIT_EMPTY && group === PRT_GROUP_INPUT) known = { event: 'printer-paper-out', state: 'fault', text: 'out of paper' };
  if (code === PRT_SUBUNIT_EMPTY && group === PRT_GROUP_SUPPLIES) known = { event: 'printer-toner-empty', state: 'fault', text: 'toner empty' };
  if (code === PRT_SUBUNIT_ALMOST_EMPTY) known = { event: group === PRT_GROUP_INPUT ? 'printer-paper-low' : 'printer-toner-low', state: 'info', text: 'almost empty' };
  if (known === undefined) {
    return { event: 'printer-alert', condition: 'printer-alert', state: 'info', severity: 'info', text: `printer alert code ${Number.isFinite(code) ? code : '?'}${where}` };
  }
  const event: TrapEvent = {
    event: known.event,
    condition: known.clears ?? known.event,
    state: known.state,
    severity: known.state === 'fault' ? 'warning' : 'info',
    text: `${known.text}${where}`,
  };
  if (location !== undefined && /^\d+$/.test(location) && Number(location) > 0) event.text += `, location ${location}`;
  return event;
}

// RFC 3621 pethPsePortDetectionStatus, indexed by pethPsePortGroupIndex.pethPsePortIndex (a module and a port).
const PETH_DETECTION_STATUS = '1.3.6.1.2.1.105.1.1.1.6.';

function poePort(trap: Trap): TrapEvent {
  const vb = trap.varbinds.find((v) => v.oid.startsWith(PETH_DETECTION_STATUS));
  const index = vb?.oid.slice(PETH_DETECTION_STATUS.length);
  const where = index !== undefined && /^\d+\.\d+$/.test(index) ? ` (module ${index.replace('.', ', port ')})` : '';
  const known = PETH_DETECTION.get(Number(vb?.value));
  if (known === undefined) return { event: 'poe-port', condition: 'poe-port', state: 'info', severity: 'info', text: `PoE port status changed${where}` };
  return {
    event: known.event,
    condition: known.clears ?? known.event,
    state: known.state,
    severity: known.state === 'fault' ? 'warning' : 'info',
    text: `${known.text}${where}`,
  };
}

function upsAlarm(trap: Trap): TrapEvent | undefined {
  const descr = trap.varbinds.find((vb) => vb.oid.startsWith(UPS_ALARM_DESCR))?.value;
  const alarm = descr !== undefined ? UPS_WELL_KNOWN_ALARMS.get(descr) : undefined;
  if (alarm === undefined) return undefined;
  const added = trap.oid === UPS_ALARM_ENTRY_ADDED;
  return {
    event: added ? alarm.event : `${alarm.event}-cleared`,
    condition: alarm.event,
    state: added ? 'fault' : 'clear',
    severity: added ? 'critical' : 'info',
    text: added ? alarm.text : `no longer: ${alarm.text}`,
  };
}

function nonEmpty(text: string | undefined): string | undefined {
  const t = text?.trim();
  return t === undefined || t === '' ? undefined : t;
}
