import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderRecommended } from '../bench/fleet/influxd.ts';
import { findProgram, repo, run } from './deploy-tools.ts';
import { exampleMosquittoConfig } from './external-broker/rig.ts';
import { freeTcpPort, makeTempDir, startInflux, startMosquitto, type TempDir } from './harness/index.ts';

/**
 * The collector's peers as install-collector.sh sets them up on its server: deploy/influxdb/influxdb.conf judged
 * by the real influxd (issue 17), and --influxdb / --mosquitto under --root, the files they install then run by
 * the real influxd and Mosquitto (issue 11: Mosquitto gets the same TLS as the embedded broker, from the same CA).
 */
const SHIPPED_INFLUX = repo('deploy', 'influxdb', 'influxdb.conf');
const influxd = findProgram('influxd');
const mosquittoReady = findProgram('mosquitto') !== undefined && findProgram('mosquitto_passwd') !== undefined;

/** `key = value` lines of a TOML file by section ("" for the top), comments dropped. */
function tomlSettings(text: string): Map<string, string> {
  const settings = new Map<string, string>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    const header = /^\[(\S+)\]$/.exec(line);
    if (header) section = header[1]!;
    else if (/^[a-z-]+ = /.test(line)) {
      const [key, value] = line.split(/ = (.*)/s) as [string, string];
      settings.set(`${section}.${key}`, value);
    }
  }
  return settings;
}

/**
 * A value as `influxd config` prints it: sizes (keys ending in -size) in bytes ("1g" → 1073741824), durations
 * (-duration, -timeout, -after) as Go prints them ("10m" → "10m0s", "60s" → "1m0s").
 */
function normalise(key: string, value: string): string {
  const size = /^"(\d+)([kmg])"$/.exec(value);
  if (size && key.endsWith('-size')) return String(Number(size[1]) * 1024 ** ('kmg'.indexOf(size[2]!) + 1));
  const duration = /^"(\d+)([hms])"$/.exec(value);
  if (duration && /-(duration|timeout|after)$/.test(key)) {
    const seconds = Number(duration[1]) * { h: 3600, m: 60, s: 1 }[duration[2] as 'h' | 'm' | 's'];
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    return `"${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${seconds % 60}s"`;
  }
  return value;
}

describe('deploy/influxdb/influxdb.conf in the real influxd', () => {
  it.skipIf(!influxd)('influxd accepts it and takes every key as written (none misspelt and silently left at its default)', () => {
    const result = run(influxd!, ['config', '-config', SHIPPED_INFLUX]);
    expect(result.status, result.stderr).toBe(0);
    const merged = tomlSettings(result.stdout);
    const shipped = tomlSettings(readFileSync(SHIPPED_INFLUX, 'utf8'));
    expect(shipped.size).toBeGreaterThan(15);
    for (const [key, value] of shipped) expect(merged.get(key), key).toBe(normalise(key, value));
    expect(merged.get('data.index-version')).toBe('"tsi1"');
    expect(merged.get('data.max-series-per-database')).toBe('1000000');
    // A runaway query is stopped rather than starving ingest. When influxd's continuous queries made the
    // rollups, the hourly interface rollup of 1,000 schools took 17 GB without it (docs/sizing.md,
    // "Rollups"); the collector's per-school statements stay far inside it: the limit stays.
    expect(merged.get('coordinator.query-timeout')).toBe('"1m0s"');
  });

  /** TSI keeps an `index` folder in each shard; the in-memory index has none. Both sides, one point each. */
  it.skipIf(!influxd)('started with it, influxd writes shards with the TSI index (the harness default, inmem, does not)', async () => {
    const text = readFileSync(SHIPPED_INFLUX, 'utf8');
    const shardDirs = (dir: string) => {
      const rps = join(dir, 'data', 'deploycheck');
      // Retention policies; TSI also keeps the database's series file in _series.
      return readdirSync(rps).filter((rp) => !rp.startsWith('_')).flatMap((rp) => readdirSync(join(rps, rp)).map((shard) => join(rps, rp, shard)));
    };
    const indexed: boolean[] = [];
    for (const renderConfig of [(dir: string, rpc: number, http: number) => renderRecommended(text, dir, rpc, http), undefined]) {
      const server = await startInflux({ ...(renderConfig ? { renderConfig } : {}), readyTimeoutMs: 60_000 });
      try {
        await server.query('CREATE DATABASE deploycheck');
        await server.write('deploycheck', ['ping,site=north,device=gw up=1i']);
        const [result] = await server.query('SELECT count(up) FROM ping', 'deploycheck');
        expect(result?.series?.[0]?.values[0]?.[1]).toBe(1);
        const shards = shardDirs(server.dir);
        expect(shards.length).toBe(1);
        indexed.push(shards.every((s) => readdirSync(s).includes('index')));
      } finally {
        await server.stop();
      }
    }
    expect(indexed).toEqual([true, false]);
  });
});

describe('install-collector.sh --influxdb --mosquitto under --root', () => {
  let root: TempDir;
  let first: ReturnType<typeof run>;
  const collector = repo('deploy', 'install', 'install-collector.sh');
  const config = () => join(root.path, '..', `${root.path.split('/').at(-1)}-collector.yaml`);
  const install = () => run('bash', [collector, '--root', root.path, '--no-npm', '--tls-name', '127.0.0.1', '--influxdb', '--mosquitto', '--config', config()]);
  const at = (...parts: string[]) => join(root.path, ...parts);

  beforeAll(() => {
    root = makeTempDir('install-peers');
    // External mode, the collector on this server logging in over the loopback-only plain listener.
    writeFileSync(config(), stringify({
      broker: { mode: 'external', external: { url: 'mqtt://127.0.0.1:1883', username: 'hallmonitor-collector', password: 'not-a-real-secret' } },
      influx: { url: 'http://127.0.0.1:8086' },
    }));
    // A shard InfluxDB wrote before, with the in-memory index (no index/ folder).
    mkdirSync(at('var', 'lib', 'influxdb', 'data', 'hallmonitor', 'raw', '1'), { recursive: true });
    first = install();
  });
  afterAll(async () => {
    rmSync(config(), { force: true });
    await root?.remove();
  });

  it('--mosquitto refuses a collector.yaml in embedded mode before installing anything', () => {
    const empty = makeTempDir('install-peers-embedded');
    try {
      const result = run('bash', [collector, '--root', empty.path, '--no-npm', '--mosquitto', '--config', repo('deploy', 'examples', 'collector.yaml')]);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('--mosquitto: collector.yaml must say broker.mode: external');
      expect(readdirSync(empty.path)).toEqual([]);
    } finally {
      void empty.remove();
    }
  });

  it('installs the shipped InfluxDB settings and says how to convert shards written with the in-memory index', () => {
    expect(first.status, first.stdout + first.stderr).toBe(0);
    expect(readFileSync(at('etc', 'influxdb', 'influxdb.conf'), 'utf8')).toBe(readFileSync(SHIPPED_INFLUX, 'utf8'));
    expect(first.stdout).toContain('influx_inspect buildtsi -datadir /var/lib/influxdb/data');
    expect(first.stdout).toMatch(/skipped under --root \(the target needs: .*influxdb mosquitto\)/);
  });

  it('installs the shipped Mosquitto config and this server\'s certificate and key for its TLS listener, 0640', () => {
    expect(readFileSync(at('etc', 'mosquitto', 'conf.d', 'hallmonitor.conf'), 'utf8')).toBe(readFileSync(repo('deploy', 'mosquitto', 'hallmonitor.conf'), 'utf8'));
    for (const file of ['hallmonitor.crt', 'hallmonitor.key']) expect(statSync(at('etc', 'mosquitto', 'certs', file)).mode & 0o777, file).toBe(0o640);
    expect(readFileSync(at('etc', 'mosquitto', 'certs', 'hallmonitor.crt'))).toEqual(readFileSync(at('etc', 'hallmonitor', 'tls', 'collector.pem')));
    // The same private CA the embedded broker's certificate comes from, which `agent add --ca` pins.
    const verify = run('openssl', ['verify', '-CAfile', at('etc', 'hallmonitor', 'tls', 'ca.pem'), at('etc', 'mosquitto', 'certs', 'hallmonitor.crt')]);
    expect(verify.stdout.trim(), verify.stderr).toMatch(/: OK$/);
  });

  it('again: nothing changes, and nothing more is said about the shards once they have their index', () => {
    mkdirSync(at('var', 'lib', 'influxdb', 'data', 'hallmonitor', 'raw', '1', 'index'));
    const again = install();
    expect(again.status, again.stdout + again.stderr).toBe(0);
    for (const file of ['/etc/influxdb/influxdb.conf', '/etc/mosquitto/conf.d/hallmonitor.conf', '/etc/mosquitto/certs/hallmonitor.crt', '/etc/mosquitto/certs/hallmonitor.key']) {
      expect(again.stdout).toContain(`${root.path}${file} unchanged`);
    }
    expect(again.stdout).not.toContain('buildtsi');
  });

  it.skipIf(!mosquittoReady)('real Mosquitto with the installed certificate: an agent pinning the installed CA connects over mqtts; without it, refused', async () => {
    const passwd = makeTempDir('install-peers-passwd');
    const file = join(passwd.path, 'passwd');
    expect(run(findProgram('mosquitto_passwd')!, ['-b', '-c', file, 'west-1', 'west-secret']).status).toBe(0);
    const tlsPort = await freeTcpPort();
    const broker = await startMosquitto({
      config: exampleMosquittoConfig({ port: tlsPort, cert: at('etc', 'mosquitto', 'certs', 'hallmonitor.crt'), key: at('etc', 'mosquitto', 'certs', 'hallmonitor.key') }),
      files: { 'hallmonitor.passwd': readFileSync(file, 'utf8'), 'hallmonitor.acl': 'user west-1\ntopic write hallmonitor/v1/west/samples\n' },
    });
    const options = { protocolVersion: 4 as const, reconnectPeriod: 0, connectTimeout: 5_000, username: 'west-1', password: 'west-secret' };
    try {
      // The certificate names 127.0.0.1 (--tls-name), so the agent checks it by address, as it would by name.
      const agent = await mqtt.connectAsync(`mqtts://127.0.0.1:${tlsPort}`, { ...options, ca: readFileSync(at('etc', 'hallmonitor', 'tls', 'ca.pem')) });
      await agent.publishAsync('hallmonitor/v1/west/samples', 'x', { qos: 1 });
      await agent.endAsync();
      const refused = await mqtt.connectAsync(`mqtts://127.0.0.1:${tlsPort}`, options).then(
        (c) => (void c.endAsync(true), 'connected'),
        (err: NodeJS.ErrnoException) => String(err.code),
      );
      expect(refused).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
    } finally {
      await broker.stop();
      await passwd.remove();
    }
  });
});
