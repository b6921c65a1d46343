import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../agent/config/load.ts';
import { readBrokerTls } from '../../collector/broker/tls.ts';
import { loadCollectorConfig } from '../../collector/config/load.ts';
import { ConfigError } from '../../contract/index.ts';
import { makeTempDir, type TempDir } from '../harness/index.ts';

let dir: TempDir;
beforeAll(() => {
  dir = makeTempDir('hm-sec-config-');
});
afterAll(() => dir.remove());

const influx = { url: 'http://127.0.0.1:8086' };
function collectorFile(broker: Record<string, unknown>): string {
  const file = join(dir.path, 'collector.yaml');
  writeFileSync(file, stringify({ influx, broker }));
  return file;
}

describe('security settings in the config files', () => {
  it('collector: defaults keep a plain listener with login backoff, revocation checks and the contract\'s size limit', () => {
    const config = loadCollectorConfig(collectorFile({}));
    expect(config.broker).toEqual({
      mode: 'embedded',
      host: '0.0.0.0',
      port: 1883,
      plain: true,
      allowPlainMqtt: false,
      loginBackoff: { baseMs: 1_000, maxMs: 30_000, quietMs: 600_000 },
      revocationCheckMs: 5_000,
      maxMessageBytes: 4 * 1024 * 1024,
    });
  });

  it('collector: plain: false without tls is refused, naming the path', () => {
    expect(() => loadCollectorConfig(collectorFile({ plain: false }))).toThrow(/broker\.plain: plain: false needs a tls listener/);
  });

  it('collector: a missing TLS file stops the start, naming the config file, the field and the resolved path', () => {
    const file = collectorFile({ tls: { cert: 'certs/missing.pem', key: 'certs/missing.key' } });
    const config = loadCollectorConfig(file);
    expect(config.broker.tls).toEqual({ port: 8883, cert: 'certs/missing.pem', key: 'certs/missing.key' });
    expect(() => readBrokerTls(config.broker.tls!, file)).toThrow(ConfigError);
    expect(() => readBrokerTls(config.broker.tls!, file)).toThrow(`${file}: broker.tls.cert: cannot read ${join(dir.path, 'certs/missing.pem')}: ENOENT`);
  });

  it('agent: rejectUnauthorized defaults to true; a missing broker.ca is a config error', () => {
    const file = join(dir.path, 'agent.yaml');
    const broker = { url: 'mqtts://collector.example.net:8883', password: 'p' };
    writeFileSync(file, stringify({ agent: 'a-1', site: 's', broker }));
    expect(loadAgentConfig(file).broker).toMatchObject({ rejectUnauthorized: true });
    expect(loadAgentConfig(file).broker.caPem).toBeUndefined();
    writeFileSync(file, stringify({ agent: 'a-1', site: 's', broker: { ...broker, ca: 'nope.pem' } }));
    expect(() => loadAgentConfig(file)).toThrow(`${file}: broker.ca: cannot read ${join(dir.path, 'nope.pem')}: ENOENT`);
  });
});
