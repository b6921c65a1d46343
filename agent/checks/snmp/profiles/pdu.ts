import type { FieldValue, Sample } from '../../../../contract/index.ts';
import type { Varbind } from '../session.ts';
import type { Profile } from './profile.ts';
import { CellReader, readTable, type TableRow } from './table.ts';

/**
 * One `pdu` sample per phase and per bank (outlet group) of a rack PDU, tags `kind` ("phase" or "bank")
 * and `bank` (the phase or bank number the PDU prints on its front, "<module>.<number>" for the second
 * and later PDUs of a daisy chain); fields current_a, load_state ("low", "normal", "near_overload",
 * "overload") and power_w where the MIB gives them. A cell the PDU reports as -1 (APC's "not
 * available") or leaves out gives no field; 0 A is a reading like any other.
 */
export type PduFields = Record<string, FieldValue>;

// APC PowerNet-MIB rPDU (first-generation Switched/Metered PDUs), rPDULoadStatusEntry.
const RPDU_LOAD_STATUS = '1.3.6.1.4.1.318.1.1.12.2.3.1.1';
const RPDU_COLUMNS = {
  load: `${RPDU_LOAD_STATUS}.2`, // rPDULoadStatusLoad, tenths of amps
  state: `${RPDU_LOAD_STATUS}.3`, // rPDULoadStatusLoadState
  phase: `${RPDU_LOAD_STATUS}.4`, // rPDULoadStatusPhaseNumber
  bank: `${RPDU_LOAD_STATUS}.5`, // rPDULoadStatusBankNumber, 0 on a phase row
} as const;
// APC PowerNet-MIB rPDU2 (AP8xxx/APDU9xxx), rPDU2PhaseStatusEntry and rPDU2BankStatusEntry.
const RPDU2_PHASE_STATUS = '1.3.6.1.4.1.318.1.1.26.6.3.1';
const RPDU2_BANK_STATUS = '1.3.6.1.4.1.318.1.1.26.8.3.1';
const rpdu2Columns = (entry: string) =>
  ({
    module: `${entry}.2`,
    number: `${entry}.3`,
    state: `${entry}.4`,
    current: `${entry}.5`, // tenths of amps
  }) as const;
const RPDU2_PHASE_COLUMNS = { ...rpdu2Columns(RPDU2_PHASE_STATUS), power: `${RPDU2_PHASE_STATUS}.7` } as const; // hundredths of kW

// CyberPower CPS-MIB ePDULoadStatusEntry: APC's first-generation table under CyberPower's number, with
// ePDULoadStatusVoltage (.6) and ePDULoadStatusActivePower (.7, watts) added; same load states.
const EPDU_LOAD_STATUS = '1.3.6.1.4.1.3808.1.1.3.2.3.1.1';
const EPDU_COLUMNS = {
  load: `${EPDU_LOAD_STATUS}.2`,
  state: `${EPDU_LOAD_STATUS}.3`,
  phase: `${EPDU_LOAD_STATUS}.4`,
  bank: `${EPDU_LOAD_STATUS}.5`,
  power: `${EPDU_LOAD_STATUS}.7`,
} as const;

export type RpduRow = TableRow<keyof typeof EPDU_COLUMNS>;
export type Rpdu2Row = TableRow<keyof typeof RPDU2_PHASE_COLUMNS>;

/**
 * rPDULoadStatusLoadState: phaseLoadNormal(1), phaseLoadLow(2), phaseLoadNearOverload(3), phaseLoadOverload(4);
 * CyberPower's ePDULoadStatusLoadState the same: loadNormal(1), loadLow(2), loadNearOverload(3), loadOverload(4).
 */
const RPDU_STATES: Readonly<Record<number, string>> = { 1: 'normal', 2: 'low', 3: 'near_overload', 4: 'overload' };
/** rPDU2PhaseStatusLoadState and rPDU2BankStatusLoadState: lowLoad(1), normal(2), nearOverload(3), overload(4). */
const RPDU2_STATES: Readonly<Record<number, string>> = { 1: 'low', 2: 'normal', 3: 'near_overload', 4: 'overload' };

interface PduReading {
  kind: 'phase' | 'bank';
  bank: string;
  fields: PduFields;
}

/** A reading that is a number and not negative (APC gives -1 for "not measured"). */
function measured(cells: CellReader, vb: Varbind | undefined, what: string): number | undefined {
  const value = cells.number(vb, what);
  return value !== undefined && value >= 0 ? value : undefined;
}

function finish(cells: CellReader, fields: PduFields): PduFields {
  const error = cells.error();
  if (error !== undefined) fields.error = error;
  return fields;
}

/**
 * First-generation rPDU (or CyberPower's copy, name "ePDULoadStatus"): one table, a row per phase (bank
 * number 0) and per bank. Power (CyberPower only) is in watts.
 */
export function rpduReadings(rows: readonly RpduRow[], name = 'rPDULoadStatus'): PduReading[] {
  return rows.flatMap((row): PduReading[] => {
    const cells = new CellReader();
    const fields: PduFields = {};
    const load = measured(cells, row.load, `${name}Load`);
    if (load !== undefined) fields.current_a = load / 10;
    const state = cells.number(row.state, `${name}LoadState`);
    if (state !== undefined) fields.load_state = RPDU_STATES[state] ?? 'unknown';
    const power = measured(cells, row.power, `${name}ActivePower`);
    if (power !== undefined) fields.power_w = power;
    const bank = measured(cells, row.bank, `${name}BankNumber`);
    const phase = measured(cells, row.phase, `${name}PhaseNumber`);
    finish(cells, fields);
    if (Object.keys(fields).length === 0) return [];
    // A row without phase and bank numbers (single-phase units give only the load) is the unit's one phase.
    return bank !== undefined && bank > 0 ? [{ kind: 'bank', bank: String(bank), fields }] : [{ kind: 'phase', bank: String(phase ?? row.index), fields }];
  });
}

/** rPDU2 phase or bank status rows. Power (phases only) is hundredths of kW in the MIB, given here in watts. */
export function rpdu2Readings(kind: 'phase' | 'bank', rows: readonly Rpdu2Row[]): PduReading[] {
  const name = kind === 'phase' ? 'rPDU2PhaseStatus' : 'rPDU2BankStatus';
  return rows.flatMap((row): PduReading[] => {
    const cells = new CellReader();
    const fields: PduFields = {};
    const current = measured(cells, row.current, `${name}Current`);
    if (current !== undefined) fields.current_a = current / 10;
    const state = cells.number(row.state, `${name}LoadState`);
    if (state !== undefined) fields.load_state = RPDU2_STATES[state] ?? 'unknown';
    const power = measured(cells, row.power, `${name}Power`);
    if (power !== undefined) fields.power_w = power * 10;
    const module = measured(cells, row.module, `${name}Module`);
    const number = measured(cells, row.number, `${name}Number`);
    finish(cells, fields);
    if (Object.keys(fields).length === 0) return [];
    const label = String(number ?? row.index);
    return [{ kind, bank: module !== undefined && module > 1 ? `${module}.${label}` : label, fields }];
  });
}

/**
 * The readings of one PDU: phases and banks each from rPDU2 where that table has rows (it has power
 * and a load state), else from the first-generation table, so no phase or bank is counted twice.
 */
export function pduReadings(rpdu: readonly RpduRow[], phases: readonly Rpdu2Row[], banks: readonly Rpdu2Row[]): PduReading[] {
  const old = rpduReadings(rpdu);
  const newPhases = rpdu2Readings('phase', phases);
  const newBanks = rpdu2Readings('bank', banks);
  return [...(newPhases.length > 0 ? newPhases : old.filter((r) => r.kind === 'phase')), ...(newBanks.length > 0 ? newBanks : old.filter((r) => r.kind === 'bank'))];
}

export function pduSamples(readings: readonly PduReading[], tags: Readonly<Record<string, string>>, time: number): Sample[] {
  return readings.map((r) => ({ measurement: 'pdu', tags: { ...tags, kind: r.kind, bank: r.bank }, fields: r.fields, time }));
}

// The first row's current of each table, fetched with the shared GET rather than walked: no walk is
// spent on the devices (nearly all) that are not PDUs.
const RPDU_PROBE = `${RPDU_COLUMNS.load}.1`;
const RPDU2_PROBE = `${RPDU2_PHASE_COLUMNS.current}.1`;

const EPDU_PROBE = `${EPDU_COLUMNS.load}.1`;

export const cyberPowerPduProfile: Profile = {
  name: 'cyberpower_pdu',
  probes: [],
  probeInstances: [EPDU_PROBE],
  detect: (_system, answered) => answered(EPDU_PROBE),
  async poll(session, ctx) {
    const rows = await readTable(session, EPDU_COLUMNS);
    return { samples: pduSamples(rpduReadings(rows, 'ePDULoadStatus'), ctx.tags, ctx.now()) };
  },
};

export const apcPduProfile: Profile = {
  name: 'apc_pdu',
  probes: [],
  probeInstances: [RPDU_PROBE, RPDU2_PROBE],
  detect: (_system, answered) => answered(RPDU_PROBE) || answered(RPDU2_PROBE),
  async poll(session, ctx) {
    const rpdu = await readTable(session, RPDU_COLUMNS);
    const phases = await readTable(session, RPDU2_PHASE_COLUMNS);
    const banks = await readTable(session, rpdu2Columns(RPDU2_BANK_STATUS));
    return { samples: pduSamples(pduReadings(rpdu, phases, banks), ctx.tags, ctx.now()) };
  },
};
