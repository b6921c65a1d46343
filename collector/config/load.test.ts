import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCollectorConfig, loadSites } from './load.ts';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const setup = (files: Record<string, string>) => {
  dir = mkdtempSync(join(tmpdir(), 'hm-cfg-'));
  mkdirSync(join(dir, 'sites'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
};

describe('collector config', () => {
  it('resolves relative paths and fills defaults', () => {
    const d = setup({ 'collector.yaml': 'influx:\n  url: http://127.0.0.1:8086\n' });
    const c = loadCollectorConfig(join(d, 'collector.yaml'));
    expect(c.sitesDir).toBe(join(d, 'sites'));
    expect(c.broker.port).toBe(1883);
    expect(c.influx.database).toBe('hallmonitor');
  });
  it('names file, path and expectation', () => {
    const d = setup({ 'collector.yaml': 'influx:\n  url: http://127.0.0.1:8086\nbroker:\n  prot: 1883\n' });
    expect(() => loadCollectorConfig(join(d, 'collector.yaml'))).toThrow(`${d}/collector.yaml: broker.prot: unknown key; did you mean "port"?`);
  });
  it('reports YAML syntax errors with the line', () => {
    const d = setup({ 'collector.yaml': 'influx:\n  url: [unclosed\n' });
    expect(() => loadCollectorConfig(join(d, 'collector.yaml'))).toThrow(/collector\.yaml:\d+: not valid YAML/);
  });
});

describe('site files', () => {
  const good = 'id: north-primary\nname: North Primary\ntimezone: Europe/London\ndevices:\n  - name: router\n    address: 127.0.0.1\n    role: internet\n';
  it('loads each site, defaults applied', () => {
    const d = setup({ 'sites/north-primary.yaml': good });
    const [site] = loadSites(join(d, 'sites'));
    expect(site?.devices[0]?.checks.ping?.probes).toBe(3);
  });
  it('the id must be the file name', () => {
    const d = setup({ 'sites/south.yaml': good });
    expect(() => loadSites(join(d, 'sites'))).toThrow(/south\.yaml: id: expected "south" \(the file name\), got "north-primary"/);
  });
  it('a wrong SNMP version names the device path', () => {
    const bad = good + '    checks:\n      snmp:\n        version: v2\n';
    const d = setup({ 'sites/north-primary.yaml': bad });
    expect(() => loadSites(join(d, 'sites'))).toThrow(/north-primary\.yaml: devices\[0\]\.checks\.snmp\.version: Invalid option: expected one of "1"\|"2c"/);
  });
  it('an unknown time zone is refused', () => {
    const d = setup({ 'sites/north-primary.yaml': good.replace('Europe/London', 'Europe/Londn') });
    expect(() => loadSites(join(d, 'sites'))).toThrow(/timezone: an IANA time zone/);
  });
});
