import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertStore } from '../../collector/alerts/store.ts';
import type { Alert } from '../../collector/alerts/pipeline/alert.ts';
import { makeTempDir } from '../harness/index.ts';

const bin = fileURLToPath(new URL('../../bin/hallmonitor-collector.js', import.meta.url));
const dir = makeTempDir('hm-alerts-cli-');
afterAll(() => dir.remove());
const cfg = join(dir.path, 'collector.yaml');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'alerts', ...args, '-c', cfg], { encoding: 'utf8', timeout: 30_000 });

describe('hallmonitor-collector alerts', () => {
  mkdirSync(join(dir.path, 'sites'), { recursive: true });
  writeFileSync(join(dir.path, 'sites', 'west.yaml'), 'id: west\nname: West Academy\ndevices:\n  - { name: router, address: 127.0.0.1, role: internet }\n');
  writeFileSync(cfg, 'influx:\n  url: http://127.0.0.1:8086\ndataDir: state\n');

  it('lists, acknowledges, silences and ends a silence, on the collector\'s own file', () => {
    expect(run('list').stdout.trim()).toBe('no open alerts');
    const store = new AlertStore(join(dir.path, 'state', 'alerts.db'));
    const alert: Alert = {
      id: '0123456789', key: 'k', rule: 'device-down', site: 'west', device: 'router', severity: 'critical', period: 'always',
      title: 'West Academy: router is down', facts: [], state: 'firing', since: Date.now() - 60_000, notified: true, level: 0, sent: 1,
      resolvedSent: false, recipients: [],
    };
    store.record({ alerts: [alert], dropped: [], decisions: [], open: () => true, now: Date.now() });
    store.close();
    expect(run('list').stdout).toMatch(/^0123456789\tfiring\tcritical\t\d{4}-\d\d-\d\d \d\d:\d\d\tWest Academy: router is down\n$/);
    const ack = run('ack', '0123456789', '--by', 'Alice');
    expect(ack.status, ack.stderr).toBe(0);
    expect(ack.stdout.trim()).toBe('alert 0123456789 acknowledged by Alice');
    expect(run('ack', '0123456789', '--by', 'Bob').stdout.trim()).toBe('alert 0123456789 was already acknowledged');
    expect(run('list').stdout).toContain('acknowledged by Alice');
    const missing = run('ack', 'nope', '--by', 'Bob');
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toBe('no alert nope (see: alerts list)');

    const s = run('silence', '--site', 'west', '--device', 'router', '--for', '2h', '--by', 'Alice', '--comment', 'ISP works');
    expect(s.status, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/^silence 1 until /);
    expect(run('silences').stdout).toMatch(/^1\twest router\tuntil .*\tby Alice\tISP works\n$/);
    expect(run('silence', '--site', 'west', '--device', 'nas', '--for', '2h', '--by', 'A').stderr.trim()).toBe('--device: no device "nas" in site "west"');
    expect(run('silence', '--site', 'west', '--for', 'soon', '--by', 'A').stderr.trim()).toBe('--for: expected a duration such as "2h", got "soon"');
    expect(run('unsilence', '1').stdout.trim()).toBe('silence 1 ended');
    expect(run('silences').stdout.trim()).toBe('no silences');
  });

  it('rules: the effective rule set of a site, with where each value came from', () => {
    const rulesDir = join(dir.path, 'rules');
    mkdirSync(join(rulesDir, 'sites'), { recursive: true });
    const file = join(rulesDir, 'collector.yaml');
    writeFileSync(file, 'influx:\n  url: http://127.0.0.1:8086\ndataDir: state\nalerts:\n  rules:\n    high-latency: { threshold: 300ms }\n  roles:\n    printer:\n      printer-supply-low: { threshold: 5 }\n');
    const site = 'id: east\nname: East Infants\ndevices:\n  - { name: router, address: 127.0.0.1, role: internet }\n  - { name: printer, address: 127.0.0.2, role: printer }\n';
    writeFileSync(join(rulesDir, 'sites', 'east.yaml'), `${site}alerts:\n  devices:\n    router: { high-loss: { threshold: "5%" } }\n`);
    const rules = (...args: string[]) => spawnSync(process.execPath, [bin, 'alerts', 'rules', ...args, '-c', file], { encoding: 'utf8', timeout: 30_000 });
    const out = rules('--site', 'east');
    expect(out.status, out.stderr).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines).toContain('high-latency\t(site)\tenabled [default]\tfor 5m [default]\tafter a trap 0s [default]\twarning [default]\talways [default]\tthreshold 300 ms (at or over) [provider]');
    expect(lines).toContain('high-loss\trouter\tenabled [default]\tfor 5m [default]\tafter a trap 0s [default]\twarning [default]\talways [default]\tthreshold 5 % (at or over) [device]');
    expect(lines).toContain('printer-supply-low\tprinter\tenabled [default]\tfor 0s [default]\tafter a trap 0s [default]\tinfo [default]\tschool-hours [default]\tthreshold 5 % (at or under) [provider role]');
    expect(lines.find((l) => l.startsWith('device-down\tprinter\t'))).toBe(
      'device-down\tprinter\tenabled [default]\tfor 5m [role default]\tafter a trap 0s [default]\twarning [role default]\tschool-hours [role default]\tfires when the deciding check (ping, else SNMP) gets no answer while every device it is reached through answers',
    );
    expect(lines.find((l) => l.startsWith('ups-on-battery\t'))).toMatch(/\tfires when the UPS says its output is on battery/);
    expect(rules('--site', 'nope').stderr.trim()).toBe(`--site: no site "nope" in ${join(rulesDir, 'sites')}`);

    // Half-configured rules stop the collector at load: one line naming the file and the path, exit 2.
    writeFileSync(join(rulesDir, 'sites', 'east.yaml'), `${site}alerts:\n  rules:\n    ups-on-battery: { threshold: 0 }\n`);
    const bad = rules('--site', 'east');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([
      `${join(rulesDir, 'sites', 'east.yaml')}: alerts.rules.ups-on-battery.threshold: ups-on-battery has no threshold: it fires when the UPS says its output is on battery: upsOutputSource battery(5) (RFC 1628) or upsBasicOutputStatus onBattery(3) (PowerNet)`,
    ]);
    writeFileSync(join(rulesDir, 'sites', 'east.yaml'), `${site}alerts:\n  rules:\n    storage-full: { threshold: 900 }\n`);
    expect(rules('--site', 'east').stderr.trim()).toMatch(/east\.yaml: alerts\.rules\.storage-full\.threshold: expected 1–100 % .*, got 900$/);
  });
});

describe('hallmonitor-collector alerts list, text from devices and the API', () => {
  const ctl = makeTempDir('hm-alerts-cli-ctl-');
  afterAll(() => ctl.remove());
  const ctlCfg = join(ctl.path, 'collector.yaml');
  const runIn = (config: string, ...args: string[]) => spawnSync(process.execPath, [bin, 'alerts', ...args, '-c', config], { encoding: 'utf8', timeout: 30_000 });
  mkdirSync(join(ctl.path, 'sites'), { recursive: true });
  writeFileSync(join(ctl.path, 'sites', 'west.yaml'), 'id: west\nname: West Academy\ndevices:\n  - { name: router, address: 127.0.0.1, role: internet }\n');
  writeFileSync(ctlCfg, 'influx:\n  url: http://127.0.0.1:8086\ndataDir: state\n');
  mkdirSync(join(ctl.path, 'state'), { recursive: true });

  it('shows control characters from device text and the API as \\u{..}, never raw (issue 11 item 12)', () => {
    const store = new AlertStore(join(ctl.path, 'state', 'alerts.db'));
    const alert: Alert = {
      id: 'ctl0000001', key: 'ctl', rule: 'device-down', site: 'west', device: 'router', severity: 'critical', period: 'always',
      // An escape sequence that clears the screen, and a newline and tab that would fake a row of their own.
      title: 'West Academy: \u001b[2Jrouter\nfake0001\tfiring\u2028x', facts: [], state: 'firing', since: Date.now() - 60_000, notified: true, level: 0, sent: 1,
      resolvedSent: false, recipients: [],
    };
    store.record({ alerts: [alert], dropped: [], decisions: [], open: () => true, now: Date.now() });
    // `by` as the API or the web form would have stored it.
    store.acknowledge('ctl0000001', 'Mallory\u001b]0;owned\u0007', Date.now(), 'api');
    store.close();
    const out = runIn(ctlCfg, 'list', '--all').stdout;
    const line = out.split('\n').find((l) => l.startsWith('ctl0000001'))!;
    expect(line).toContain('West Academy: \\u{1b}[2Jrouter\\u{a}fake0001\\u{9}firing\\u{2028}x');
    expect(line).toContain('acknowledged by Mallory\\u{1b}]0;owned\\u{7}');
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u2028]/);
    expect(out.split('\n').filter((l) => l.includes('fake0001'))).toHaveLength(1);
  });
});
