import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summariseProfile, type ProfileSummary } from '../support/cpu-profile.ts';

/** Runs `work` in this process under the V8 sampling profiler and summarises where its CPU went. */
export async function profileInProcess(work: () => Promise<unknown>, top = 25): Promise<ProfileSummary> {
  const session = new Session();
  session.connect();
  const dir = mkdtempSync(join(tmpdir(), 'hm-snmp-profile-'));
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    await work();
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(join(dir, 'agent.cpuprofile'), JSON.stringify(withoutInspector(profile)));
    return summariseProfile(dir, top);
  } finally {
    session.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Profile {
  nodes: { id: number; callFrame: { url: string }; children?: number[] }[];
  samples?: number[];
  timeDeltas?: number[];
}

/**
 * Drops the samples taken inside the inspector's own calls: `Profiler.stop` runs (as native `dispatch`) while
 * the profiler still samples, and showed up as a third of the agent's time when it was not the agent's.
 */
function withoutInspector<P extends Profile>(profile: P): P {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const inInspector = (id: number | undefined): boolean => {
    for (let at = id; at !== undefined; at = parent.get(at)) if (byId.get(at)?.callFrame.url.startsWith('node:inspector')) return true;
    return false;
  };
  const keep = (profile.samples ?? []).map((id) => !inInspector(id));
  return { ...profile, samples: profile.samples?.filter((_, i) => keep[i]), timeDeltas: profile.timeDeltas?.filter((_, i) => keep[i]) };
}
