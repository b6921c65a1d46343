import { gunzipSync } from 'node:zlib';

/**
 * influxd (Go) serves CPU profiles at /debug/pprof/profile as gzipped protobuf (google/pprof profile.proto),
 * already symbolised: the Debian binary is stripped, so `perf` sees only addresses, but the Go runtime names
 * its own functions. This reads just enough of the format to say where influxd's CPU went in a window of a
 * fleet run (the drain against the raw reference), without Go's tools on the machine.
 */

/** Protobuf wire format: a message's fields as (number, varint | bytes). */
function* fields(buf: Uint8Array): Generator<{ field: number; varint?: bigint; bytes?: Uint8Array }> {
  let i = 0;
  const varint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[i++]!;
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) yield { field, varint: varint() };
    else if (wire === 2) {
      const n = Number(varint());
      yield { field, bytes: buf.subarray(i, i + n) };
      i += n;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new Error(`pprof profile: wire type ${wire} not expected`);
  }
}

/** A repeated integer field, packed (bytes) or not (one varint). */
function ints(f: { varint?: bigint; bytes?: Uint8Array }): number[] {
  if (f.varint !== undefined) return [Number(f.varint)];
  const out: number[] = [];
  for (const g of fields(prefixPacked(f.bytes!))) out.push(Number(g.varint!));
  return out;
}

// Packed varints have no keys; give each one the key of field 1, varint, so fields() can read them.
function prefixPacked(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  let start = true;
  for (const b of bytes) {
    if (start) out.push(0x08);
    out.push(b);
    start = (b & 0x80) === 0;
  }
  return Uint8Array.from(out);
}

export interface GoProfileSummary {
  seconds: number;
  samples: number;
  /** Functions by samples spent in them (self), share of all samples. */
  flat: { fn: string; share: number }[];
  /** Functions by samples with them anywhere on the stack. */
  cumulative: { fn: string; share: number }[];
}

/** The top `top` functions of a (gzipped or plain) profile.proto CPU profile. */
export function summariseGoProfile(data: Uint8Array, top = 25): GoProfileSummary {
  const buf = data[0] === 0x1f && data[1] === 0x8b ? gunzipSync(data) : data;
  const strings: string[] = [];
  const functions = new Map<number, number>(); // function id → name index
  const locations = new Map<number, number[]>(); // location id → function ids, innermost first
  const samples: { stack: number[]; value: number }[] = [];
  let durationNs = 0;
  for (const f of fields(buf)) {
    if (f.field === 6) strings.push(Buffer.from(f.bytes!).toString('utf8'));
    else if (f.field === 10) durationNs = Number(f.varint ?? 0n);
    else if (f.field === 5) {
      let id = 0;
      let name = 0;
      for (const g of fields(f.bytes!)) {
        if (g.field === 1) id = Number(g.varint!);
        else if (g.field === 2) name = Number(g.varint!);
      }
      functions.set(id, name);
    } else if (f.field === 4) {
      let id = 0;
      const fns: number[] = [];
      for (const g of fields(f.bytes!)) {
        if (g.field === 1) id = Number(g.varint!);
        else if (g.field === 4) for (const h of fields(g.bytes!)) if (h.field === 1) fns.push(Number(h.varint!));
      }
      locations.set(id, fns);
    } else if (f.field === 2) {
      const stack: number[] = [];
      const values: number[] = [];
      for (const g of fields(f.bytes!)) {
        if (g.field === 1) stack.push(...ints(g));
        else if (g.field === 2) values.push(...ints(g));
      }
      // CPU profiles carry [samples, nanoseconds]; the count is what we rank by.
      samples.push({ stack, value: values[0] ?? 0 });
    }
  }
  const name = (fnId: number) => strings[functions.get(fnId) ?? 0] ?? `?${fnId}`;
  const flat = new Map<string, number>();
  const cum = new Map<string, number>();
  let total = 0;
  for (const s of samples) {
    total += s.value;
    const names = s.stack.flatMap((loc) => (locations.get(loc) ?? []).map(name));
    if (names[0] !== undefined) flat.set(names[0], (flat.get(names[0]) ?? 0) + s.value);
    for (const n of new Set(names)) cum.set(n, (cum.get(n) ?? 0) + s.value);
  }
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, v]) => ({ fn, share: Math.round((v / Math.max(1, total)) * 1000) / 1000 }));
  return { seconds: durationNs / 1e9, samples: total, flat: rank(flat), cumulative: rank(cum) };
}

/** influxd's CPU profile over the next `seconds` (it answers when they have passed). */
export async function profileInfluxd(url: string, seconds: number): Promise<Uint8Array> {
  const res = await fetch(`${url}/debug/pprof/profile?seconds=${seconds}`);
  if (!res.ok) throw new Error(`influxd /debug/pprof/profile: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}
