import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../agent/config/load.ts';
import { Link, brokerLinkOptions } from '../../agent/publish/link.ts';
import { systemClock } from '../../contract/clock.ts';
import { startTestBroker, until, type TestBroker } from '../../collector/broker/testing.ts';
import { readBrokerTls } from '../../collector/broker/tls.ts';
import { loadCollectorConfig } from '../../collector/config/load.ts';
import { createLogger } from '../../contract/index.ts';
import { makeTempDir, type TempDir } from '../harness/index.ts';
import { makeTestCertificates } from './certs.ts';

let dir: TempDir;
let certs: ReturnType<typeof makeTestCertificates>;
let t: TestBroker;
const links: Link[] = [];

beforeAll(async () => {
  dir = makeTempDir('hm-tls-');
  certs = makeTestCertificates(dir.path);
  // Relative paths in collector.yaml are resolved against its folder.
  const file = join(dir.path, 'collector.yaml');
  writeFileSync(file, stringify({ influx: { url: 'http://127.0.0.1:8086' }, broker: { tls: { port: 0, cert: 'server.pem', key: 'server.key' } } }));
  const config = loadCollectorConfig(file);
  t = await startTestBroker({ tls: readBrokerTls(config.broker.tls!, file) });
});
afterEach(async () => {
  for (const link of links.splice(0)) await link.close(500);
});
afterAll(async () => {
  await t.stop();
  dir.remove();
});

function capture() {
  const lines: string[] = [];
  const log = createLogger('agent', 'debug', new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  }));
  return { log, lines };
}

/** The agent's link as agent/run.ts builds it, from an agent.yaml with the given broker settings. */
function agentLink(broker: Record<string, unknown>, log = capture().log): Link {
  const file = join(dir.path, 'agent.yaml');
  const { north1 } = t.creds;
  writeFileSync(file, stringify({ agent: north1.id, site: 'north', broker: { url: `mqtts://127.0.0.1:${t.broker.tlsPort}`, password: north1.password, ...broker } }));
  const config = loadAgentConfig(file);
  const link = new Link({
    ...brokerLinkOptions(config),
    version: 'test',
    startedAt: Date.now(),
    clock: systemClock,
    log,
    onConfig: () => {},
    configRevision: () => undefined,
  });
  links.push(link);
  return link;
}

describe('TLS listener', () => {
  it('the agent connects over mqtts when broker.ca (relative to agent.yaml) names the CA that signed the collector', async () => {
    const link = agentLink({ ca: 'ca.pem' });
    await until(() => link.connected, 5_000);
  });

  it('with the wrong CA the handshake is refused, and both sides log why', async () => {
    const { log, lines } = capture();
    const link = agentLink({ ca: 'wrong-ca.pem' }, log);
    await until(() => lines.some((l) => l.includes('broker certificate not trusted')), 5_000);
    expect(link.connected).toBe(false);
    const record = JSON.parse(lines.find((l) => l.includes('broker certificate not trusted'))!) as Record<string, unknown>;
    expect(record).toMatchObject({ level: 50, code: expect.stringMatching(/CERT|SELF_SIGNED|UNABLE/) });
    await until(() => t.records().some((r) => r.msg === 'TLS handshake failed'), 5_000);
  });

  it('without broker.ca the system store is used, which does not know a private CA', async () => {
    const { log, lines } = capture();
    const link = agentLink({}, log);
    await until(() => lines.some((l) => l.includes('broker certificate not trusted')), 5_000);
    expect(link.connected).toBe(false);
  });

  it('rejectUnauthorized: false connects without checking (for a lab only)', async () => {
    const link = agentLink({ ca: 'wrong-ca.pem', rejectUnauthorized: false });
    await until(() => link.connected, 5_000);
  });

  it('the plain TCP listener still works next to it', async () => {
    const client = await t.connect(t.creds.south1);
    expect(client.connected).toBe(true);
    await client.endAsync();
  });

  it('a TLS-only broker has no plain listener', async () => {
    const tlsOnly = await startTestBroker({ port: null, tls: readBrokerTls({ port: 0, cert: certs.cert, key: certs.key }, join(dir.path, 'x.yaml')) });
    try {
      expect(tlsOnly.broker.port).toBeNull();
      const client = await tlsOnly.connect(tlsOnly.creds.north2, { ca: readFileSync(certs.ca) });
      expect(client.connected).toBe(true);
    } finally {
      await tlsOnly.stop();
    }
  });
});
