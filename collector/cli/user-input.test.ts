import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../contract/index.ts';
import { makeTempDir } from '../../test/harness/index.ts';
import type { ResolvedCollectorConfig } from '../config/load.ts';
import { brokerUrlFromConfig, brokerUrlOption } from './broker-url.ts';
import { idOption, influxProblem, monthOption, outputFolder, writingInto } from './user-input.ts';

const dir = makeTempDir('user-input');
afterAll(() => dir.remove());

describe('command-line values', () => {
  it('--month: every month 01-12 of a year, nothing else', () => {
    expect(monthOption('2026-01')).toBe('2026-01');
    expect(monthOption('2026-12')).toBe('2026-12');
    for (const bad of ['2026-13', '2026-00', '2026-1', '26-01', '2026-01-01', '', 'last', '1969-12']) {
      expect(() => monthOption(bad), bad).toThrow(ConfigError);
    }
  });

  it('ids as the site files and topics want them', () => {
    expect(idOption('north-primary', '--site')).toBe('north-primary');
    for (const bad of ['Bad Id!', '../x', 'a/b', '', '-x', 'x'.repeat(64)]) expect(() => idOption(bad, '--site'), bad).toThrow(/^--site: expected a lower-case id/);
  });

  it('--out: a folder that is there or can be made, never a file', () => {
    expect(outputFolder(dir.path)).toBe(dir.path);
    const made = join(dir.path, 'new', 'deeper');
    expect(outputFolder(made)).toBe(made);
    expect(existsSync(made)).toBe(true);
    const file = join(dir.path, 'file');
    writeFileSync(file, 'x');
    expect(() => outputFolder(file)).toThrow(`--out ${file}: not a folder`);
    expect(() => outputFolder(join(file, 'below'))).toThrow(/cannot create the folder: (ENOTDIR|EEXIST)/);
  });

  it('a write that fails on the machine is one line naming --out; anything else keeps its stack', () => {
    expect(() => writingInto('/dev', () => writeFileSync('/dev/full', 'x'))).toThrow('--out /dev: cannot write: ENOSPC (no space left on device)');
    const bug = new TypeError('not a function');
    expect(() => writingInto('/dev', () => { throw bug; })).toThrow(bug);
  });

  it('InfluxDB failures name influx.url (or the credentials), other errors are left alone', () => {
    const source = { file: 'collector.yaml', url: 'http://user:secret@127.0.0.1:8086', database: 'hallmonitor' };
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8086'), { code: 'ECONNREFUSED' });
    expect(influxProblem(refused, source)?.message).toBe(
      'collector.yaml: influx.url: cannot reach InfluxDB at http://127.0.0.1:8086 (influx.url in collector.yaml): ECONNREFUSED (connection refused: nothing listens there); start InfluxDB or correct influx.url',
    );
    expect(influxProblem(Object.assign(new Error('A 401 Unauthorized error occurred'), { res: { statusCode: 401 } }), source)?.message).toMatch(/^collector\.yaml: influx\.username: .* refused access \(HTTP 401\)/);
    expect(influxProblem(new Error('database not found: hallmonitor'), source)?.message).toMatch(/^collector\.yaml: influx\.database: .*no database "hallmonitor"/);
    expect(influxProblem(new TypeError('x is undefined'), source)).toBeUndefined();
    expect(influxProblem(refused, source)?.message).not.toContain('secret');
  });
});

describe('the broker URL agents get', () => {
  const config = (broker: Partial<ResolvedCollectorConfig['broker']>) => ({ file: 'collector.yaml', broker: { mode: 'embedded', host: '0.0.0.0', port: 1883, ...broker } }) as ResolvedCollectorConfig;

  it('is required when the listener is on every interface, derived when it names one address', () => {
    expect(() => brokerUrlFromConfig(config({}))).toThrow(/^--broker-url: required: broker\.host in collector\.yaml is "0\.0\.0\.0"/);
    expect(() => brokerUrlFromConfig(config({ host: '::' }))).toThrow(/^--broker-url: required/);
    expect(brokerUrlFromConfig(config({ host: 'collector.provider.example' }))).toBe('mqtt://collector.provider.example:1883');
    expect(brokerUrlFromConfig(config({ host: '2001:db8::5' }))).toBe('mqtt://[2001:db8::5]:1883');
    expect(brokerUrlFromConfig(config({ host: 'hm.example', tls: { port: 8883, cert: 'c', key: 'k' } }))).toBe('mqtts://hm.example:8883');
    expect(brokerUrlFromConfig(config({ mode: 'external', external: { url: 'mqtts://emqx.example:8883' } as never }))).toBe('mqtts://emqx.example:8883');
  });

  it('--broker-url is an MQTT URL with a host and no credentials', () => {
    expect(brokerUrlOption('mqtts://collector.provider.example:8883')).toBe('mqtts://collector.provider.example:8883');
    for (const bad of ['collector:1883', 'http://x:1883', 'mqtt://', 'mqtt://u:p@x:1883']) expect(() => brokerUrlOption(bad), bad).toThrow(/^--broker-url: /);
  });
});
