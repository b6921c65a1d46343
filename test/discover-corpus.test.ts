import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { siteFileSchema } from '../collector/config/schema.ts';
import { CORPUS_DIR, makeTempDir, startSnmpsimEndpoints, type SnmpsimEndpoints, type TempDir, runDiscover } from './harness/index.ts';

/**
 * Issue 13's "done when": `discover` over a simulated school built from corpus recordings (real devices
 * this project's fixtures do not hold) proposes the right classes, through the real path: snmpsimd on
 * 127.0.91.1-10, the agent's discover command, the site file it writes. Class and kind are read from the
 * comment above each entry; roles and names from the YAML.
 */
const NET = '127.0.91';
const SCHOOL = [
  { recording: 'ciscosb_cbs350', class: 'switch', role: 'switch' },
  { recording: 'unifi_nanohd', class: 'wireless', role: 'access-point' },
  { recording: 'jetdirect_m252dw', class: 'printer', role: 'printer' },
  { recording: 'apc_smt750x-nmc2', class: 'ups', role: 'ups' },
  { recording: 'fortigate_60f', class: 'firewall', role: 'firewall' },
  { recording: 'dsm', class: 'nas', role: 'server' },
  { recording: 'illustra', class: 'other: camera', role: 'other' },
  { recording: 'grandstream-ht_ht802', class: 'other: voip', role: 'other' },
  { recording: 'xclarity_sr665', class: 'other: management-controller', role: 'other' },
  { recording: 'zyxelac_xmg3927', class: 'router', role: 'other' },
] as const;

describe('discover over a school of corpus recordings', () => {
  let temp: TempDir;
  let sim: SnmpsimEndpoints | undefined;

  beforeAll(async () => {
    temp = makeTempDir('discover-corpus');
    sim = await startSnmpsimEndpoints(
      SCHOOL.map((d, k) => ({ host: `${NET}.${k + 1}`, text: readFileSync(`${CORPUS_DIR}/recordings/${d.recording}.snmprec`, 'utf8') })),
      { readyTimeoutMs: 60_000 },
    );
  }, 90_000);

  afterAll(async () => {
    await sim?.stop();
    await temp?.remove();
  });

  it('proposes each device with the class (and kind) its recording shows, the role that follows, and the evidence', async () => {
    const out = join(temp.path, 'proposed.yaml');
    const result = await runDiscover([`${NET}.0/28`, '--community', 'public', '--port', String(sim!.port), '--timeout', '1', '--concurrency', '4', '--no-ping', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    const site = siteFileSchema.parse({ id: 'corpus-school', name: 'Corpus School', ...parse(text) });
    expect(site.devices.map((d) => [d.address, d.role])).toEqual(SCHOOL.map((d, k) => [`${NET}.${k + 1}`, d.role]));
    const classes = [...text.matchAll(/^ {2}# class (\S+) because: (.*)\n {2}# .*? \(((?:other: )?[a-z-]+)\)(?::.*)?\n {2}- name: (\S+)$/gm)].map((m) => ({ cls: m[1], evidence: m[2], shown: m[3], name: m[4] }));
    expect(classes.map((c) => c.shown)).toEqual(SCHOOL.map((d) => d.class));
    for (const c of classes) expect(c.evidence, c.name).not.toBe('');
    // Named from sysName where the recording has one, else from the kind or class.
    expect(site.devices[6]!.name).toBe('camera-127-0-91-7');
    expect(site.devices[8]!.name).toBe('management-controller-127-0-91-9');
  }, 180_000);
});
