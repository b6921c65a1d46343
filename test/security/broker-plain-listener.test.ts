import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPlainListener, isLoopback } from '../../collector/broker/plain-policy.ts';
import { loadCollectorConfig } from '../../collector/config/load.ts';
import { startCollector } from '../../collector/run.ts';
import { ConfigError, createLogger } from '../../contract/index.ts';
import { makeTempDir } from '../harness/index.ts';

/**
 * Issue 11 item 10: the broker listened on 0.0.0.0 with plain MQTT by default, so agent passwords crossed the
 * internet unencrypted. Now a plain listener other machines can reach is refused at start unless the config
 * says allowPlainMqtt: true, and then warned about at every start.
 */
const dir = makeTempDir('plain-listener');
afterAll(() => dir.remove());

function config(broker: Record<string, unknown>) {
  const file = join(dir.path, 'collector.yaml');
  mkdirSync(join(dir.path, 'sites'), { recursive: true });
  writeFileSync(join(dir.path, 'agents.yaml'), 'agents: []\n');
  writeFileSync(file, stringify({ influx: { url: 'http://127.0.0.1:9' }, broker }));
  return loadCollectorConfig(file);
}
function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger('test', 'warn', new Writable({ write: (c: Buffer, _e, done) => (lines.push(JSON.parse(c.toString()) as Record<string, unknown>), done()) }));
  return { log, lines };
}

describe('plain MQTT across the network is refused unless the config says so', () => {
  it('the default (plain on 0.0.0.0) does not start, with one line naming the file and the way out', async () => {
    const c = config({ port: 0 });
    const err = await startCollector(c, capture().log).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/collector\.yaml: broker: a plain MQTT listener on 0\.0\.0\.0 would send agent passwords in clear/);
    expect((err as Error).message).not.toContain('\n');
  });

  it('allowPlainMqtt: true starts and warns at every start', async () => {
    for (let start = 0; start < 2; start++) {
      const { log, lines } = capture();
      const collector = await startCollector(config({ port: 0, allowPlainMqtt: true }), log);
      await collector.stop();
      expect(lines.filter((l) => typeof l.msg === 'string' && l.msg.includes('agent passwords cross the network unencrypted'))).toHaveLength(1);
    }
  });

  it('quiet side: loopback plain, or TLS only, starts without a warning', async () => {
    const { log, lines } = capture();
    const collector = await startCollector(config({ host: '127.0.0.1', port: 0 }), log);
    await collector.stop();
    expect(lines.filter((l) => String(l.msg).includes('unencrypted'))).toEqual([]);
    expect(checkPlainListener({ host: '0.0.0.0', plain: false, allowPlainMqtt: false }, 'c.yaml')).toBeUndefined();
    for (const h of ['127.0.0.1', '127.5.6.7', '::1', '[::1]', 'localhost']) expect([h, isLoopback(h)]).toEqual([h, true]);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'collector.example.net']) expect([h, isLoopback(h)]).toEqual([h, false]);
  });
});
