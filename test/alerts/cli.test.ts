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
});
