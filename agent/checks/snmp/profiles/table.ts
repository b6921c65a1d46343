import type { SnmpSession, Varbind } from '../session.ts';
import { asNumber, asOid, asText, compareOids, rowIndex } from '../values.ts';

/** One row of a table: the cells that the device answered, by column key. */
export type TableRow<K extends string> = { index: string } & Partial<Record<K, Varbind>>;

/**
 * Walks the columns of a table together and joins the cells by row index. A row exists if any column has
 * it: devices leave out whole columns (the index column first of all), so no single column is trusted to
 * list the rows. Rows come back in index order.
 */
export async function readTable<K extends string>(session: SnmpSession, columns: Readonly<Record<K, string>>): Promise<TableRow<K>[]> {
  const rows = new Map<string, TableRow<K>>();
  const named = Object.entries(columns) as [K, string][];
  const walked = await session.walkColumns(named.map(([, oid]) => oid));
  for (const [c, [key, oid]] of named.entries()) {
    for (const vb of walked[c]!) {
      const index = rowIndex(oid, vb.oid);
      if (index === undefined) continue;
      let row = rows.get(index);
      if (row === undefined) {
        row = { index } as TableRow<K>;
        rows.set(index, row);
      }
      (row as Record<string, unknown>)[key] = vb;
    }
  }
  return [...rows.values()].sort((a, b) => compareOids(a.index, b.index));
}

/**
 * Reads cells with the expected type and remembers which were present but of another type, so a row
 * can say "bad value in X" in its `error` field rather than silently missing X.
 */
export class CellReader {
  readonly bad: string[] = [];

  number(vb: Varbind | undefined, what: string): number | undefined {
    return this.check(vb, asNumber(vb), what);
  }

  text(vb: Varbind | undefined, what: string): string | undefined {
    return this.check(vb, asText(vb), what);
  }

  oid(vb: Varbind | undefined, what: string): string | undefined {
    return this.check(vb, asOid(vb), what);
  }

  /** The `error` field for the row, or undefined when every present cell was readable. */
  error(): string | undefined {
    return this.bad.length === 0 ? undefined : `bad value in ${this.bad.join(', ')}`;
  }

  private check<T>(vb: Varbind | undefined, value: T | undefined, what: string): T | undefined {
    if (vb !== undefined && value === undefined) this.bad.push(what);
    return value;
  }
}

/** The last dotted sub-identifier of a row index (e.g. hrDeviceIndex.prtMarkerSuppliesIndex -> the supply). */
export function lastSubId(index: string): string {
  const dot = index.lastIndexOf('.');
  return dot < 0 ? index : index.slice(dot + 1);
}

/** One GET for named scalars; the ones the device does not have are left out. */
export async function readScalars<K extends string>(session: SnmpSession, oids: Readonly<Record<K, string>>): Promise<Partial<Record<K, Varbind>>> {
  const keys = Object.keys(oids) as K[];
  const values = await session.get(keys.map((k) => oids[k]));
  const out: Partial<Record<K, Varbind>> = {};
  keys.forEach((k, i) => {
    const vb = values[i];
    if (vb !== undefined) out[k] = vb;
  });
  return out;
}

/** A MAC address carried as six sub-identifiers of a row index, as aa:bb:cc:dd:ee:ff. */
export function macFromIndex(parts: readonly string[]): string | undefined {
  if (parts.length !== 6 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.map((p) => Number(p).toString(16).padStart(2, '0')).join(':');
}
