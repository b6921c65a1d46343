import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Where a process's busy time went, from the .cpuprofile that `node --cpu-prof` writes on exit. */
export interface ProfileSummary {
  /** Sampled time that was not idle, ms. */
  busyMs: number;
  /** Self time by package (node_modules), by project file, or by V8/Node category, share of busy time. */
  byArea: { area: string; ms: number; share: number }[];
  /** The heaviest functions by self time. */
  byFunction: { fn: string; ms: number; share: number }[];
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

function area(url: string, fn: string): string {
  if (url === '') return fn.startsWith('(') ? fn : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node core';
  const project = /\/((?:collector|contract|agent|bin)\/.*)$/.exec(url);
  return project ? project[1]! : url;
}

export function summariseProfile(dir: string, top = 25): ProfileSummary {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`${dir}: no .cpuprofile written (did the process exit normally?)`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  let busy = 0;
  for (const [id, ms] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    busy += ms;
    const where = area(url, functionName);
    areas.set(where, (areas.get(where) ?? 0) + ms);
    const fn = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
    fns.set(fn, (fns.get(fn) ?? 0) + ms);
  }
  const ranked = <K extends string>(m: Map<string, number>, key: K) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ [key]: name, ms: Math.round(ms), share: Math.round((ms / busy) * 1000) / 1000 }) as { [P in K]: string } & { ms: number; share: number });
  return { busyMs: Math.round(busy), byArea: ranked(areas, 'area'), byFunction: ranked(fns, 'fn') };
}
