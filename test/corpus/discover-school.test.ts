import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { siteFileSchema } from '../../collector/config/schema.ts';
import { CORPUS_DIR, makeTempDir, startSnmpsimEndpoints, type SnmpsimEndpoints, type TempDir, runDiscover } from '../harness/index.ts';

/**
 * A school assembled from ten corpus recordings of different kinds (../shared/corpus, none of them among
 * the project's own fixtures), served by one snmpsimd on 127.0.84.1-10 (RIG.md: one endpoint per address),
 * and the real `hallmonitor-agent discover` run over it. Some devices get a school's own sysName; the
 * others keep the corpus's "<private>" or have none, so the class names them.
 */
const NET = '127.0.84';
const SCHOOL = [
  { recording: 'ciscosb_cbs350', sysName: 'core-sw1', class: 'switch', role: 'switch' },
  { recording: 'unifi_nanohd', sysName: 'library-ap', class: 'wireless', role: 'access-point' },
  { recording: 'fortigate_60f', sysName: 'edge-fw', class: 'firewall', role: 'firewall' },
  { recording: 'brother', class: 'printer', role: 'printer' },
  { recording: 'apc_smt750x-nmc2', class: 'ups', role: 'ups' },
  { recording: 'apc_ap7900b', class: 'pdu', role: 'ups' },
  { recording: 'apc-netbotz_netbotz750', class: 'environment', role: 'other' },
  { recording: 'linux', sysName: 'mis-server', class: 'server', role: 'server' },
  { recording: 'dsm_ds916', class: 'nas', role: 'server' },
  { recording: 'ios_ir809', class: 'router', role: 'other' },
] as const;

function served(recording: string, sysName: string | undefined): string {
  const text = readFileSync(`${CORPUS_DIR}/recordings/${recording}.snmprec`, 'utf8');
  if (sysName === undefined) return text;
  const line = `1.3.6.1.2.1.1.5.0|4|${sysName}`;
  if (/^1\.3\.6\.1\.2\.1\.1\.5\.0\|/m.test(text)) return text.replace(/^1\.3\.6\.1\.2\.1\.1\.5\.0\|[^\n]*$/m, line);
  // No sysName line: put one after sysDescr..sysContact, where snmpsimd's ordered file wants it.
  const before = [...text.matchAll(/^1\.3\.6\.1\.2\.1\.1\.[1-4]\.0\|[^\n]*$/gm)].at(-1)!;
  const at = before.index + before[0].length;
  return `${text.slice(0, at)}\n${line}${text.slice(at)}`;
}

describe('discover over a school built from corpus recordings', () => {
  let temp: TempDir;
  let sim: SnmpsimEndpoints | undefined;

  beforeAll(async () => {
    temp = makeTempDir('discover-school');
    sim = await startSnmpsimEndpoints(
      SCHOOL.map((d, k) => ({ host: `${NET}.${k + 1}`, text: served(d.recording, 'sysName' in d ? d.sysName : undefined) })),
      { readyTimeoutMs: 90_000 },
    );
  }, 120_000);

  afterAll(async () => {
    await sim?.stop();
    await temp?.remove();
  });

  it('proposes each device with the right class and role, named by sysName or else by class, with the evidence', async () => {
    const out = join(temp.path, 'school.yaml');
    const result = await runDiscover([`${NET}.0/28`, '--no-ping', '--port', String(sim!.port), '--timeout', '3', '--retries', '2', '--concurrency', '4', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    console.log(text);
    const site = siteFileSchema.parse({ id: 'corpus-school', name: 'Corpus School', ...parse(text) });
    expect(site.devices.map((d) => d.address)).toEqual(SCHOOL.map((_, k) => `${NET}.${k + 1}`));
    const address = (k: number) => `${NET}.${k + 1}`.replaceAll('.', '-');
    expect(site.devices.map((d) => [d.name, d.role])).toEqual(
      SCHOOL.map((d, k) => ['sysName' in d ? d.sysName : `${d.class}-${address(k)}`, d.role]),
    );
    // Above each entry: why the class was chosen, then "<vendor> <model> (<class>)".
    const lines = text.split('\n');
    SCHOOL.forEach((d, k) => {
      const at = lines.indexOf(`    address: ${NET}.${k + 1}`);
      expect(lines[at - 3], d.recording).toMatch(new RegExp(`^ {2}# class ${d.class} because: \\S`));
      expect(lines[at - 2], d.recording).toContain(`(${d.class})`);
    });
  }, 240_000);
});
