import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAgentSpool } from '../../agent/spool/open.ts';
import { SiteConfigStore } from '../../agent/site-config/store.ts';
import { loadCollectorConfig } from '../../collector/config/load.ts';
import { startCollector } from '../../collector/run.ts';
import { createLogger } from '../../contract/index.ts';
import { makeTempDir, type TempDir } from '../harness/index.ts';

/**
 * Issue 11 item 11: the agent's spool and saved site config (SNMP communities) and the collector's databases
 * followed the umask (0644 under 022, 0666 under 000). Here the umask is 000, the worst case.
 */
let dir: TempDir;
let umask: number;
const quiet = createLogger('files', 'fatal', new Writable({ write: (_c, _e, done) => done() }));
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

beforeAll(() => {
  umask = process.umask(0);
  dir = makeTempDir('files-modes');
});
afterAll(() => {
  process.umask(umask);
  dir.remove();
});

describe('private files whatever the umask (umask 000)', () => {
  it('agent: data folder 0700, spool database and saved site config 0600, also when they existed with looser modes', () => {
    const data = join(dir.path, 'agent-data');
    mkdirSync(data, { mode: 0o777 });
    const spool = openAgentSpool(data, { maxBytes: 1 << 20, maxAgeHours: 24 });
    const store = new SiteConfigStore(data, quiet);
    writeFileSync(join(data, 'site-config.json.tmp'), 'left over', { mode: 0o666 });
    store.save({ v: 1, site: 'north', revision: 1, devices: [], issuedAt: Date.now() } as never);
    spool.close?.();
    expect(mode(data)).toBe('700');
    for (const name of readdirSync(data)) expect([name, mode(join(data, name))]).toEqual([name, '600']);
    expect(readdirSync(data)).toEqual(expect.arrayContaining(['spool.db', 'site-config.json']));
  });

  it('collector: data folder 0700 and every database in it 0600', async () => {
    const base = join(dir.path, 'collector');
    mkdirSync(join(base, 'sites'), { recursive: true });
    writeFileSync(join(base, 'agents.yaml'), 'agents: []\n');
    writeFileSync(join(base, 'collector.yaml'), stringify({ influx: { url: 'http://127.0.0.1:9' }, broker: { host: '127.0.0.1', port: 0 }, dataDir: 'data' }));
    const collector = await startCollector(loadCollectorConfig(join(base, 'collector.yaml')), quiet);
    await collector.stop();
    const data = join(base, 'data');
    expect(mode(data)).toBe('700');
    const files = readdirSync(data, { recursive: true }).map(String).filter((f) => statSync(join(data, f)).isFile());
    expect(files).toContain('wal.db');
    for (const f of files) expect([f, mode(join(data, f))]).toEqual([f, '600']);
  });
});
