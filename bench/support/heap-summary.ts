import { readFileSync } from 'node:fs';

/**
 * Where a V8 heap snapshot's bytes are: self size by constructor, and retained size (dominator tree,
 * Cooper–Harvey–Kennedy) of the biggest holders with the chain of holders above them. Used to find the
 * collector's memory (docs/sizing.md, "Memory"): take a snapshot with `node --heapsnapshot-signal=SIGUSR2`,
 * then `npx tsx bench/support/heap-summary.ts <file.heapsnapshot> [top] [holder, e.g. object:Observations]`.
 */
interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface HeapSummary {
  totalBytes: number;
  nodes: number;
  bySelf: Array<{ what: string; count: number; bytes: number }>;
  byRetained: Array<{ what: string; bytes: number; holders: string }>;
  /** Self size by constructor of what the first holder labelled `under` retains, when asked. */
  inside?: Array<{ what: string; count: number; bytes: number }>;
}

export function summariseHeap(file: string, top = 25, under?: string): HeapSummary {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const nf = s.snapshot.meta.node_fields;
  const ef = s.snapshot.meta.edge_fields;
  const N = nf.length;
  const E = ef.length;
  const types = s.snapshot.meta.node_types[0];
  const edgeTypes = s.snapshot.meta.edge_types[0];
  const iType = nf.indexOf('type');
  const iName = nf.indexOf('name');
  const iSelf = nf.indexOf('self_size');
  const iEdges = nf.indexOf('edge_count');
  const eType = ef.indexOf('type');
  const eTo = ef.indexOf('to_node');
  const weak = edgeTypes.indexOf('weak');
  const count = s.nodes.length / N;
  const firstEdge = new Uint32Array(count + 1);
  for (let i = 0, e = 0; i < count; i++) {
    firstEdge[i] = e;
    e += s.nodes[i * N + iEdges]! * E;
    firstEdge[i + 1] = e;
  }
  const label = (i: number): string => {
    const t = types[s.nodes[i * N + iType]!]!;
    const name = s.strings[s.nodes[i * N + iName]!]!;
    if (t === 'object' || t === 'native' || t === 'closure') return `${t}:${name.slice(0, 60)}`;
    return t;
  };
  const self = (i: number) => s.nodes[i * N + iSelf]!;

  // Self size by label.
  const agg = new Map<string, { count: number; bytes: number }>();
  let total = 0;
  for (let i = 0; i < count; i++) {
    const l = label(i);
    const a = agg.get(l) ?? { count: 0, bytes: 0 };
    a.count++;
    a.bytes += self(i);
    total += self(i);
    agg.set(l, a);
  }

  // Postorder DFS from the root (node 0), strong edges only.
  const post = new Int32Array(count).fill(-1);
  const order: number[] = [];
  const seen = new Uint8Array(count);
  const stack: number[] = [0];
  const cursor = new Uint32Array(count);
  seen[0] = 1;
  for (let i = 0; i < count; i++) cursor[i] = firstEdge[i]!;
  while (stack.length > 0) {
    const v = stack[stack.length - 1]!;
    let pushed = false;
    while (cursor[v]! < firstEdge[v + 1]!) {
      const e = cursor[v]!;
      cursor[v] = e + E;
      if (s.edges[e + eType] === weak) continue;
      const w = s.edges[e + eTo]! / N;
      if (seen[w] === 0) {
        seen[w] = 1;
        stack.push(w);
        pushed = true;
        break;
      }
    }
    if (!pushed) {
      stack.pop();
      post[v] = order.length;
      order.push(v);
    }
  }
  // Retainers (predecessors) of reachable nodes.
  const predCount = new Uint32Array(count + 1);
  for (let v = 0; v < count; v++) {
    if (seen[v] === 0) continue;
    for (let e = firstEdge[v]!; e < firstEdge[v + 1]!; e += E) if (s.edges[e + eType] !== weak) predCount[s.edges[e + eTo]! / N]!++;
  }
  const predStart = new Uint32Array(count + 1);
  for (let v = 0; v < count; v++) predStart[v + 1] = predStart[v]! + predCount[v]!;
  const preds = new Uint32Array(predStart[count]!);
  const fill = predStart.slice();
  for (let v = 0; v < count; v++) {
    if (seen[v] === 0) continue;
    for (let e = firstEdge[v]!; e < firstEdge[v + 1]!; e += E) if (s.edges[e + eType] !== weak) preds[fill[s.edges[e + eTo]! / N]!++] = v;
  }
  const idom = new Int32Array(count).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number) => {
    while (a !== b) {
      while (post[a]! < post[b]!) a = idom[a]!;
      while (post[b]! < post[a]!) b = idom[b]!;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let k = order.length - 1; k >= 0; k--) {
      const v = order[k]!;
      if (v === 0) continue;
      let d = -1;
      for (let p = predStart[v]!; p < predStart[v + 1]!; p++) {
        const u = preds[p]!;
        if (idom[u] === -1) continue;
        d = d === -1 ? u : intersect(u, d);
      }
      if (d !== idom[v]) {
        idom[v] = d;
        changed = true;
      }
    }
  }
  const retained = new Float64Array(count);
  for (const v of order) {
    retained[v]! += self(v);
    if (v !== 0 && idom[v]! >= 0) retained[idom[v]!]! += retained[v]!;
  }
  const iEdgeName = ef.indexOf('name_or_index');
  const elementTypes = new Set(['element', 'hidden'].map((t) => edgeTypes.indexOf(t)));
  /** The name under which u holds v (a property, a closure's variable), if u holds it directly. */
  const via = (u: number, v: number): string => {
    for (let e = firstEdge[u]!; e < firstEdge[u + 1]!; e += E) {
      if (s.edges[e + eTo]! / N !== v) continue;
      const n = s.edges[e + iEdgeName]!;
      return elementTypes.has(s.edges[e + eType]!) ? `[${n}]` : `.${s.strings[n]!.slice(0, 40)}`;
    }
    return '';
  };
  const holders = (v: number): string => {
    const chain: string[] = [];
    for (let w = v, u = idom[v]!, n = 0; u > 0 && n < 6; w = u, u = idom[u]!, n++) chain.push(`${label(u)}${via(u, w)}`);
    return chain.join(' < ');
  };
  // The biggest holders that are not inside another of the same label (so a Map of Maps counts once).
  const candidates = order.filter((v) => v !== 0 && retained[v]! > total / 500 && label(v) !== label(idom[v]!));
  candidates.sort((a, b) => retained[b]! - retained[a]!);
  let inside: HeapSummary['inside'];
  const holder = under === undefined ? undefined : candidates.find((v) => label(v) === under);
  if (holder !== undefined) {
    const byLabel = new Map<string, { count: number; bytes: number }>();
    for (const v of order) {
      let u = v;
      while (u !== 0 && u !== holder) u = idom[u]!;
      if (u !== holder) continue;
      const a = byLabel.get(label(v)) ?? { count: 0, bytes: 0 };
      a.count++;
      a.bytes += self(v);
      byLabel.set(label(v), a);
    }
    inside = [...byLabel].map(([what, a]) => ({ what, ...a })).sort((a, b) => b.bytes - a.bytes).slice(0, top);
  }
  return {
    ...(inside !== undefined ? { inside } : {}),
    totalBytes: total,
    nodes: count,
    bySelf: [...agg].map(([what, a]) => ({ what, ...a })).sort((a, b) => b.bytes - a.bytes).slice(0, top),
    byRetained: candidates.slice(0, top).map((v) => ({ what: label(v), bytes: retained[v]!, holders: holders(v) })),
  };
}

if (process.argv[1]?.endsWith('heap-summary.ts')) {
  const [file, top, under] = process.argv.slice(2);
  if (file === undefined) {
    process.stderr.write('heap-summary: usage: heap-summary.ts <file.heapsnapshot> [top]\n');
    process.exit(2);
  }
  const r = summariseHeap(file, Number(top ?? 25), under);
  const mib = (b: number) => (b / 1048576).toFixed(1).padStart(7);
  process.stdout.write(`${file}: ${r.nodes} nodes, ${mib(r.totalBytes)} MiB\nself size by constructor:\n`);
  for (const a of r.bySelf) process.stdout.write(`${mib(a.bytes)} MiB ${String(a.count).padStart(9)}  ${a.what}\n`);
  process.stdout.write('retained by holder:\n');
  for (const a of r.byRetained) process.stdout.write(`${mib(a.bytes)} MiB  ${a.what}  < ${a.holders}\n`);
  if (r.inside !== undefined) process.stdout.write(`inside ${under}:\n`);
  for (const a of r.inside ?? []) process.stdout.write(`${mib(a.bytes)} MiB ${String(a.count).padStart(9)}  ${a.what}\n`);
}
