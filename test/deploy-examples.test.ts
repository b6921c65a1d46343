import { cpSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../contract/index.ts';
import { agentConfigSchema } from '../agent/config/schema.ts';
import { loadCollectorConfig, loadSites } from '../collector/config/load.ts';
import { startCollector } from '../collector/run.ts';
import { makeTempDir, type TempDir } from './harness/index.ts';
import { makeTestCertificates } from './security/certs.ts';
import { createLogger } from '../contract/index.ts';
import { Writable } from 'node:stream';

/** The examples a provider copies must pass the same schemas the programs use, so they never drift. */
const example = (path: string) => fileURLToPath(new URL(`../deploy/examples/${path}`, import.meta.url));

describe('deploy/examples', () => {
  it('collector.yaml and its sites validate', () => {
    const config = loadCollectorConfig(example('collector.yaml'));
    const sites = loadSites(config.sitesDir);
    expect(sites.map((s) => s.id)).toContain('north-primary');
    expect(sites.every((s) => s.devices.length > 0)).toBe(true);
  });
  it('collector.full.yaml validates', () => {
    const config = loadCollectorConfig(example('collector.full.yaml'));
    expect(config.notify.channels.length).toBeGreaterThan(0);
    expect(config.alerts).toBeDefined();
  });
  it('agent.yaml validates', () => {
    expect(loadConfigFile(example('agent.yaml'), agentConfigSchema).site).toBe('north-primary');
  });
});

/**
 * The installer starts a new collector from collector.yaml before anyone has set up mail or secrets, so
 * it must start with an empty environment; the full example names each missing variable instead.
 */
describe('starting from the examples', () => {
  const temps: TempDir[] = [];
  afterAll(async () => {
    for (const t of temps) await t.remove();
  });
  const copy = (file: string) => {
    const temp = makeTempDir('examples');
    temps.push(temp);
    cpSync(fileURLToPath(new URL('../deploy/examples/', import.meta.url)), temp.path, { recursive: true });
    writeFileSync(join(temp.path, 'agents.yaml'), 'agents: []\n');
    // The certificate install-collector.sh would have made, where the examples name it.
    mkdirSync(join(temp.path, 'tls'));
    const certs = makeTestCertificates(join(temp.path, 'tls'));
    renameSync(certs.cert, join(temp.path, 'tls', 'collector.pem'));
    renameSync(certs.key, join(temp.path, 'tls', 'collector.key'));
    const config = loadCollectorConfig(join(temp.path, file));
    // Free ports, and an InfluxDB that is not there: the collector retries it and runs meanwhile.
    const tls = config.broker.tls && { ...config.broker.tls, port: 0 };
    return { ...config, broker: { ...config.broker, host: '127.0.0.1', port: 0, tls }, influx: { ...config.influx, url: 'http://127.0.0.1:9' } };
  };
  const quiet = createLogger('examples', 'fatal', new Writable({ write: (_c, _e, done) => done() }));

  it('collector.yaml starts with no secrets in the environment', async () => {
    const collector = await startCollector(copy('collector.yaml'), quiet, Date.now, { env: {} });
    await collector.stop();
  });
  it('collector.full.yaml names the first variable it misses', async () => {
    await expect(startCollector(copy('collector.full.yaml'), quiet, Date.now, { env: {} })).rejects.toThrow(/HALLMONITOR_[A-Z_]+ is not set/);
  });
});
