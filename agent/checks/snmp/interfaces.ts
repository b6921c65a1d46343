import type { CounterBits } from '../../rates/counter.ts';
import type { SnmpSession, Varbind } from './session.ts';
import { asCounter, asNumber, asText, rowIndex } from './values.ts';

export interface Counter {
  value: bigint;
  bits: CounterBits;
}

/** One interface as the device describes it; every column is optional because devices omit many. */
export interface InterfaceRow {
  index: number;
  name?: string;
  descr?: string;
  alias?: string;
  adminStatus?: number;
  operStatus?: number;
  speed?: number;
  highSpeed?: number;
  inOctets?: Counter;
  outOctets?: Counter;
  hcInOctets?: Counter;
  hcOutOctets?: Counter;
  inDiscards?: Counter;
  inErrors?: Counter;
  outDiscards?: Counter;
  outErrors?: Counter;
  discontinuityCs?: number;
}

type Column = { key: Exclude<keyof InterfaceRow, 'index'>; oid: string; read: (vb: Varbind) => unknown };

const IF_ENTRY = '1.3.6.1.2.1.2.2.1';
const IFX_ENTRY = '1.3.6.1.2.1.31.1.1.1';

/**
 * IF-MIB columns (RFC 2863), walked side by side so each row's counters are read in the same request.
 * ifIndex (.1) itself is not walked: most recordings lack it, and every row of any column names its
 * ifIndex in the OID anyway.
 */
export const INTERFACE_COLUMNS: readonly Column[] = [
  { key: 'descr', oid: `${IF_ENTRY}.2`, read: asText },
  { key: 'name', oid: `${IFX_ENTRY}.1`, read: asText },
  { key: 'alias', oid: `${IFX_ENTRY}.18`, read: asText },
  { key: 'adminStatus', oid: `${IF_ENTRY}.7`, read: asNumber },
  { key: 'operStatus', oid: `${IF_ENTRY}.8`, read: asNumber },
  { key: 'speed', oid: `${IF_ENTRY}.5`, read: asNumber },
  { key: 'highSpeed', oid: `${IFX_ENTRY}.15`, read: asNumber },
  { key: 'discontinuityCs', oid: `${IFX_ENTRY}.19`, read: asNumber },
  { key: 'inDiscards', oid: `${IF_ENTRY}.13`, read: asCounter },
  { key: 'inErrors', oid: `${IF_ENTRY}.14`, read: asCounter },
  { key: 'outDiscards', oid: `${IF_ENTRY}.19`, read: asCounter },
  { key: 'outErrors', oid: `${IF_ENTRY}.20`, read: asCounter },
  { key: 'inOctets', oid: `${IF_ENTRY}.10`, read: asCounter },
  { key: 'outOctets', oid: `${IF_ENTRY}.16`, read: asCounter },
  { key: 'hcInOctets', oid: `${IFX_ENTRY}.6`, read: asCounter },
  { key: 'hcOutOctets', oid: `${IFX_ENTRY}.10`, read: asCounter },
];

/** Walks the columns together; rejects with SnmpFailure if any column fails, since half a table misleads. */
export async function readInterfaces(session: SnmpSession): Promise<InterfaceRow[]> {
  const walked = await session.walkColumns(INTERFACE_COLUMNS.map((c) => c.oid));
  return assembleInterfaces(new Map(INTERFACE_COLUMNS.map((c, i) => [c.oid, walked[i]!])));
}

/**
 * Every key present from the start (left undefined until a column fills it): rows then share one shape,
 * which keeps V8's property access on them fast, rather than taking a different shape per device.
 */
function emptyRow(index: number): InterfaceRow {
  return {
    index,
    name: undefined,
    descr: undefined,
    alias: undefined,
    adminStatus: undefined,
    operStatus: undefined,
    speed: undefined,
    highSpeed: undefined,
    inOctets: undefined,
    outOctets: undefined,
    hcInOctets: undefined,
    hcOutOctets: undefined,
    inDiscards: undefined,
    inErrors: undefined,
    outDiscards: undefined,
    outErrors: undefined,
    discontinuityCs: undefined,
  };
}

/**
 * Builds rows from whichever columns answered: an interface exists if any column has a row for it.
 * Rows whose index is not a positive integer or whose value has the wrong type are skipped. RFC 2863's
 * InterfaceIndex stops at 2147483647, but Huawei OLTs number GPON ports from 4194304000: any index an
 * OID sub-identifier can carry (up to 4294967295, RFC 2578 §7.1.3) is kept, since the ports are real.
 */
export function assembleInterfaces(walked: ReadonlyMap<string, readonly Varbind[]>): InterfaceRow[] {
  const rows = new Map<number, InterfaceRow>();
  for (const column of INTERFACE_COLUMNS) {
    for (const vb of walked.get(column.oid) ?? []) {
      const suffix = rowIndex(column.oid, vb.oid);
      if (suffix === undefined || !/^[1-9]\d{0,9}$/.test(suffix)) continue;
      const index = Number(suffix);
      if (index > 4_294_967_295) continue;
      let row = rows.get(index);
      if (row === undefined) {
        row = emptyRow(index);
        rows.set(index, row);
      }
      const value = column.read(vb);
      if (value !== undefined) (row as unknown as Record<string, unknown>)[column.key] = value;
    }
  }
  return [...rows.values()].sort((a, b) => a.index - b.index);
}
