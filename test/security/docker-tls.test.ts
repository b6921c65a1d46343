import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestBroker } from '../../collector/broker/testing.ts';
import { checkPlainListener, isLoopback } from '../../collector/broker/plain-policy.ts';
import { loadCollectorConfig } from '../../collector/config/load.ts';
import { makeTempDir, type TempDir } from '../harness/index.ts';

/**
 * Issue 11 item 10 for Docker: the compose setup published plain MQTT on 1883 to the world. Docker does not run
 * here, so what it would do is judged from its files: the compose file publishes no plain MQTT port beyond
 * loopback, the config it mounts passes the collector's own validation and its plain-listener rule with TLS on,
 * and the first-start script (tls-init.sh) makes a certificate that a real TLS client pinning the CA accepts
 * for the configured name, from the real embedded broker.
 */
const DOCKER = fileURLToPath(new URL('../../deploy/docker/', import.meta.url));
const TLS_INIT = join(DOCKER, 'tls-init.sh');
const NAME = 'collector.example.test';

type Port = string | number | { target: number; published?: string | number; host_ip?: string };
interface Compose {
  services: Record<string, { ports?: Port[]; environment?: Record<string, string>; volumes?: string[] }>;
}

/** A compose port entry (short "[ip:]host:container[/proto]" or long form) as the address it binds and the container port. */
function published(port: Port): { hostIp: string; container: number } {
  if (typeof port === 'object') return { hostIp: port.host_ip ?? '0.0.0.0', container: port.target };
  // "[ip:][host:]container[/proto]": an address (IPv6 in brackets) only with a host port before the container's.
  const m = /^(?:(\[[^\]]*\]|[^:[\]]+):(?=[^:]*:))?(?:([\d-]*):)?([\d-]+)(?:\/(?:tcp|udp))?$/.exec(String(port));
  if (!m) throw new Error(`compose port entry not understood: ${String(port)}`);
  return { hostIp: m[1]?.replace(/^\[|\]$/g, '') ?? '0.0.0.0', container: Number(m[3]) };
}

describe('deploy/docker: agents reach the collector over TLS only', () => {
  const compose = parse(readFileSync(join(DOCKER, 'docker-compose.yml'), 'utf8')) as Compose;
  const config = loadCollectorConfig(join(DOCKER, 'config', 'collector.yaml'));

  it('reads port entries in every compose syntax', () => {
    expect(published('1883:1883')).toEqual({ hostIp: '0.0.0.0', container: 1883 });
    expect(published('127.0.0.1:1883:1883/tcp')).toEqual({ hostIp: '127.0.0.1', container: 1883 });
    expect(published('[::1]:1883:1883')).toEqual({ hostIp: '::1', container: 1883 });
    expect(published(1883)).toEqual({ hostIp: '0.0.0.0', container: 1883 });
    // A range is not read as a port: the check below treats it as possibly plain MQTT.
    expect(published('8883-8884:8883-8884')).toEqual({ hostIp: '0.0.0.0', container: NaN });
    expect(published({ target: 1883, published: 1883 })).toEqual({ hostIp: '0.0.0.0', container: 1883 });
    expect(() => published('a:b:c:d')).toThrow(/not understood/);
  });

  it('publishes no plain MQTT port beyond loopback: the collector only its TLS port', () => {
    const tlsPort = config.broker.tls?.port;
    expect(tlsPort).toBe(8883);
    const plainPort = config.broker.plain ? config.broker.port : undefined;
    const open: string[] = [];
    for (const [name, service] of Object.entries(compose.services)) {
      for (const entry of service.ports ?? []) {
        const { hostIp, container } = published(entry);
        if (isLoopback(hostIp)) continue;
        // 1883 is MQTT's plain port whatever the config says; the config's own plain port as well.
        if (!Number.isFinite(container) || container === 1883 || container === plainPort) open.push(`${name}: ${JSON.stringify(entry)}`);
        else if (name === 'collector' && container !== tlsPort) open.push(`${name}: ${JSON.stringify(entry)} (not the TLS port)`);
      }
    }
    expect(open).toEqual([]);
    expect(compose.services['collector']?.ports?.map(published)).toContainEqual({ hostIp: '0.0.0.0', container: 8883 });
  });

  it('mounts a config that passes the collector\'s validation and its plain-listener rule without a warning', () => {
    expect(config.broker.mode).toBe('embedded');
    expect(config.broker.host).toBe('0.0.0.0');
    expect(config.broker.allowPlainMqtt).toBe(false);
    expect(config.broker.plain).toBe(false);
    expect(checkPlainListener(config.broker, config.file)).toBeUndefined();
    // The certificate lives in the writable state volume, where tls-init.sh makes it.
    expect(config.broker.tls?.cert).toBe('/var/lib/hallmonitor-collector/tls/collector.pem');
    expect(config.broker.tls?.key).toBe('/var/lib/hallmonitor-collector/tls/collector.key');
    expect(compose.services['collector']?.volumes).toContain('collector-state:/var/lib/hallmonitor-collector');
    expect(compose.services['collector']?.environment).toHaveProperty('HM_TLS_NAME');
    // The image runs tls-init.sh before the collector.
    expect(readFileSync(join(DOCKER, 'Dockerfile'), 'utf8')).toMatch(/^ENTRYPOINT \["sh", "\/opt\/hallmonitor\/deploy\/docker\/entrypoint\.sh"\]$/m);
    expect(readFileSync(join(DOCKER, 'entrypoint.sh'), 'utf8')).toContain('tls-init.sh /var/lib/hallmonitor-collector /etc/hallmonitor');
  });

  it.runIf(existsSync('/usr/bin/shellcheck'))('entrypoint.sh and tls-init.sh pass shellcheck', () => {
    const run = spawnSync('shellcheck', [join(DOCKER, 'entrypoint.sh'), TLS_INIT], { encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});

describe('deploy/docker/tls-init.sh: the certificate made on first start', () => {
  const dirs: TempDir[] = [];
  const temp = () => {
    const d = makeTempDir('docker-tls');
    dirs.push(d);
    mkdirSync(join(d.path, 'state'));
    mkdirSync(join(d.path, 'config'));
    return { state: join(d.path, 'state'), config: join(d.path, 'config') };
  };
  const init = (d: { state: string; config: string }, name?: string) =>
    spawnSync('sh', [TLS_INIT, d.state, d.config], { encoding: 'utf8', env: { PATH: process.env.PATH, ...(name ? { HM_TLS_NAME: name } : {}) } });
  afterAll(async () => {
    for (const d of dirs) await d.remove();
  });

  it('without HM_TLS_NAME or the provider\'s files: one line naming what to set, exit 2, nothing made', () => {
    const d = temp();
    const run = init(d);
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('HM_TLS_NAME');
    expect(existsSync(join(d.state, 'tls', 'collector.pem'))).toBe(false);
  });

  it('makes a CA and a certificate for the name (keys 0600), keeps them on the next start, and a pinned TLS client logs in', { timeout: 30_000 }, async () => {
    const d = temp();
    const run = init(d, NAME);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const tls = join(d.state, 'tls');
    for (const key of ['ca.key', 'collector.key']) expect(statSync(join(tls, key)).mode & 0o777, key).toBe(0o600);
    const cert = readFileSync(join(tls, 'collector.pem'));
    const again = init(d, 'another.example.test');
    expect(again.status).toBe(0);
    expect(readFileSync(join(tls, 'collector.pem'))).toEqual(cert);

    // The real broker with that certificate; the client checks it against the pinned CA for the name.
    const t = await startTestBroker({ port: null, tls: { port: 0, cert, key: readFileSync(join(tls, 'collector.key')) } });
    try {
      const ca = readFileSync(join(tls, 'ca.pem'));
      const client = await t.connect(t.creds.north1, { ca, servername: NAME, rejectUnauthorized: true });
      expect(client.connected).toBe(true);
      // The same certificate is refused for a name it was not made for, and without the CA.
      await expect(t.connect(t.creds.north1, { ca, servername: 'other.example.test', rejectUnauthorized: true })).rejects.toThrow(/altnames|Hostname/i);
      await expect(t.connect(t.creds.north1, { servername: NAME, rejectUnauthorized: true })).rejects.toThrow(/self.signed|unable to get|certificate/i);
    } finally {
      await t.stop();
    }
  });

  it('an address as the name goes into the certificate as an IP name', () => {
    const d = temp();
    expect(init(d, '127.0.0.1').status).toBe(0);
    const text = spawnSync('openssl', ['x509', '-noout', '-text', '-in', join(d.state, 'tls', 'collector.pem')], { encoding: 'utf8' }).stdout;
    expect(text).toMatch(/IP Address:127\.0\.0\.1/);
    expect(text).not.toMatch(/DNS:127/);
  });

  it('takes the provider\'s own certificate from config/tls at every start, over one made before', () => {
    const d = temp();
    expect(init(d, NAME).status).toBe(0);
    mkdirSync(join(d.config, 'tls'));
    writeFileSync(join(d.config, 'tls', 'collector.pem'), 'provider certificate\n');
    writeFileSync(join(d.config, 'tls', 'collector.key'), 'provider key\n', { mode: 0o644 });
    const run = init(d);
    expect(run.status).toBe(0);
    expect(readFileSync(join(d.state, 'tls', 'collector.pem'), 'utf8')).toBe('provider certificate\n');
    expect(readFileSync(join(d.state, 'tls', 'collector.key'), 'utf8')).toBe('provider key\n');
    expect(statSync(join(d.state, 'tls', 'collector.key')).mode & 0o777).toBe(0o600);
  });
});
