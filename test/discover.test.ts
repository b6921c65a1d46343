import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { siteFileSchema } from '../collector/config/schema.ts';
import { makeTempDir, recordingPath, startSnmpsimEndpoints, type SnmpsimEndpoints, type TempDir, runDiscover } from './harness/index.ts';

/**
 * `hallmonitor-agent discover` against 127.0.83.0/28: snmpsimd answers SNMP on .1-.5 with a different
 * real recording at each address (RIG.md: one endpoint per address, --v2c-arch, per-transport data
 * files), and every loopback address answers ping, so .6-.14 are ping-only hosts.
 */
const NET = '127.0.83';
const DEVICES = [
  { recording: 'procurve_e2910', sysName: 'core-sw1.school.local', class: 'switch' },
  { recording: 'unifi_nanohd', sysName: 'hall-ap', class: 'wireless' },
  { recording: 'jetdirect_m252dw', class: 'printer' },
  { recording: 'apc_smt750x-nmc2', class: 'ups' },
  { recording: 'sonicwall_sonicos7', class: 'firewall' },
] as const;

/** A recording with its sysName set to a school's own name; the others keep their "<private>". */
function served(recording: string, sysName: string | undefined): string {
  const text = readFileSync(recordingPath(recording), 'utf8');
  return sysName === undefined ? text : text.replace(/^1\.3\.6\.1\.2\.1\.1\.5\.0\|[^\n]*$/m, `1.3.6.1.2.1.1.5.0|4|${sysName}`);
}

describe('discover', () => {
  let temp: TempDir;
  let sim: SnmpsimEndpoints | undefined;
  let port: number;

  beforeAll(async () => {
    temp = makeTempDir('discover');
    sim = await startSnmpsimEndpoints(
      DEVICES.map((d, k) => ({ host: `${NET}.${k + 1}`, text: served(d.recording, 'sysName' in d ? d.sysName : undefined) })),
      { readyTimeoutMs: 60_000 },
    );
    port = sim.port;
  }, 90_000);

  afterAll(async () => {
    await sim?.stop();
    await temp?.remove();
  });

  it('proposes every host with the right class, role and name, in the site file format', async () => {
    const out = join(temp.path, 'proposed.yaml');
    const result = await runDiscover([`${NET}.0/28`, '--community', 'wrong', '--community', 'public', '--port', String(port), '--timeout', '0.5', '--concurrency', '8', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    // Not a terminal: plain progress lines on stderr, ping phase then SNMP phase.
    expect(result.stderr).toContain('discover: ping 14/14, 14 answered');
    expect(result.stderr).toContain(`discover: snmp 14/14, ${DEVICES.length} answered`);
    expect(result.stderr).not.toContain('\r');

    const text = readFileSync(out, 'utf8');
    const site = siteFileSchema.parse({ id: 'north-primary', name: 'North Primary', ...parse(text) });
    expect(site.devices).toHaveLength(14);
    // Read through a plain record: the snmp settings are a union once SNMPv3 is in the schema.
    const summary = site.devices.map((d) => [d.address, d.name, d.role, (d.checks.snmp as { community?: string } | undefined)?.community ?? null]);
    expect(summary.slice(0, DEVICES.length)).toEqual([
      [`${NET}.1`, 'core-sw1', 'switch', 'public'],
      [`${NET}.2`, 'hall-ap', 'access-point', 'public'],
      [`${NET}.3`, `printer-127-0-83-3`, 'printer', 'public'],
      [`${NET}.4`, `ups-127-0-83-4`, 'ups', 'public'],
      [`${NET}.5`, `firewall-127-0-83-5`, 'firewall', 'public'],
    ]);
    for (const d of site.devices.slice(DEVICES.length)) {
      expect(d).toMatchObject({ role: 'other', name: `other-${d.address.replaceAll('.', '-')}` });
      expect(d.checks.snmp).toBeUndefined();
      expect(d.checks.ping).toBeDefined();
    }
    // Each entry says what the device is, for the tech reviewing the list: vendor, model, class.
    const comments = [...text.matchAll(/^ {2}# (.*)\n {2}- name: (\S+)$/gm)].map((m) => [m[2], m[1]]);
    expect(comments).toHaveLength(14);
    DEVICES.forEach((d, k) => expect(comments[k]![1]).toContain(`(${d.class})`));
    // The model is the chassis entity's (issue 13), and the evidence for the class is shown above each entry.
    expect(text).toContain('# HP J9146A (switch): HP J9146A');
    const because = [...text.matchAll(/^ {2}# class (\S+) because: \S.*\n {2}# .*\((\S+)\)/gm)];
    expect(because.length).toBeGreaterThan(0);
    for (const m of because) expect(m[1]).toBe(m[2]);
    expect(text).toContain('# APC Smart-UPS X 750 (ups)');
    expect(text).toContain('# answered ping only');
  }, 120_000);

  it('without the ping sweep probes every address, and finds only the SNMP devices', async () => {
    const result = await runDiscover([`${NET}.0/29`, '--no-ping', '--port', String(port), '--timeout', '0.5']);
    expect(result.code, result.stderr).toBe(0);
    const site = siteFileSchema.parse({ id: 'x', name: 'X', ...parse(result.stdout) });
    expect(site.devices.map((d) => d.address)).toEqual(DEVICES.map((_, k) => `${NET}.${k + 1}`));
    expect(site.devices.every((d) => d.checks.ping === undefined)).toBe(true);
  }, 60_000);

  it('refuses a network that is not one, or too big, with exit code 2', async () => {
    const bad = await runDiscover(['10.0.0.300/24']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected an IPv4 network such as 10.20.0.0/24');
    const big = await runDiscover(['10.0.0.0/8']);
    expect(big.code).toBe(2);
    expect(big.stderr).toContain('more than 4096');
  });
});
