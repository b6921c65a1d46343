import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { siteFileSchema } from '../../collector/config/schema.ts';
import { runDiscover as discover, startSnmpsimEndpoints, type SnmpsimEndpoints } from '../harness/index.ts';
import { servedRecording, wiredSchool } from './school.ts';

/** `discover` over a school whose LLDP tables describe a known tree proposes exactly that tree as parents. */
const NET = '127.0.86';
const school = wiredSchool(NET);

let sim: SnmpsimEndpoints | undefined;
beforeAll(async () => {
  sim = await startSnmpsimEndpoints(school.map((d) => ({ host: d.host, text: servedRecording(d, school) })), { readyTimeoutMs: 60_000 });
}, 90_000);
afterAll(async () => {
  await sim?.stop();
});

describe('discover proposes parents from LLDP', () => {
  it('gives gw → core → edge-1/edge-2 → APs, each parent explained', async () => {
    const result = await discover([`${NET}.0/29`, '--community', 'public', '--port', String(sim!.port), '--timeout', '1', '--concurrency', '8']);
    expect(result.code, result.stderr).toBe(0);
    const site = siteFileSchema.parse({ id: 'wired-primary', name: 'Wired Primary', ...parse(result.stdout) });
    const parents = Object.fromEntries(site.devices.filter((d) => d.address !== `${NET}.7`).map((d) => [d.name, d.parent ?? null]));
    expect(parents).toEqual({ gw: null, core: 'gw', 'edge-1': 'core', 'edge-2': 'core', 'ap-hall': 'edge-1', 'ap-library': 'edge-2' });
    expect(result.stdout).toContain('parent: core sees edge-1 on port2 (LLDP)');
    expect(result.stdout).toContain('parent: ap-hall sees edge-1 on port1 (LLDP)');
  }, 60_000);
});
