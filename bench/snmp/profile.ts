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
    writeFileSync(join(dir, 'agent.cpuprofile'), JSON.stringify(profile));
    return summariseProfile(dir, top);
  } finally {
    session.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}
