import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configTopic, eventsTopic, samplesTopic, statusTopic } from '../contract/index.ts';
import { findProgram, repo, run } from './deploy-tools.ts';
import { SHIPPED_PLAIN_LISTENER, SHIPPED_TLS_LISTENER, exampleMosquittoConfig } from './external-broker/rig.ts';
import { createTestNet, freeTcpPort, makeTempDir, startMosquitto, waitFor, type MosquittoServer, type TempDir } from './harness/index.ts';
import { isRoot } from './harness/users.ts';
import { makeTestCertificates } from './security/certs.ts';

/**
 * deploy/mosquitto/hallmonitor.conf and its example ACL, as shipped, in a real Mosquitto (Debian 2.0.11): agents
 * over TLS on every address with the CA pinned, plain MQTT on loopback only, and the ACL's doors.
 */
describe('deploy/mosquitto: the example config and ACL in a real Mosquitto', () => {
  const mosquittoBin = findProgram('mosquitto');
  const passwdBin = findProgram('mosquitto_passwd');
  const ready = mosquittoBin !== undefined && passwdBin !== undefined;
  if (!ready) console.warn('deploy/mosquitto: mosquitto or mosquitto_passwd not installed (Debian: mosquitto); skipped');

  const PASSWORDS: Record<string, string> = {
    'hallmonitor-collector': 'collector-secret',
    'north-primary-1': 'north-secret',
    'south-primary-1': 'south-secret',
    'hm-test-observer': 'observer-secret',
  };
  let port: number;
  let broker: MosquittoServer;
  let tlsDir: TempDir;
  const clients: MqttClient[] = [];
  const received: Array<{ topic: string; payload: string; retain: boolean }> = [];

  let tlsPort: number;
  let certs: ReturnType<typeof makeTestCertificates>;

  /**
   * Logs in as a school's agent would: over the shipped TLS listener with the CA pinned. The collector user
   * (and the test's observer) use the loopback-only plain listener, as a collector on the broker's host does.
   */
  async function login(user: string | undefined, extra: IClientOptions = {}): Promise<MqttClient> {
    const local = user === 'hallmonitor-collector' || user === 'hm-test-observer';
    const client = await mqtt.connectAsync(local ? `mqtt://127.0.0.1:${port}` : `mqtts://127.0.0.1:${tlsPort}`, {
      protocolVersion: 4, // MQTT 3.1.1, as the agents speak
      reconnectPeriod: 0,
      connectTimeout: 5_000,
      ...(local ? {} : { ca: readFileSync(certs.ca) }),
      ...(user === undefined ? {} : { username: user, password: PASSWORDS[user] }),
      ...extra,
    });
    clients.push(client);
    return client;
  }

  /** Publishes a marker on the agent's own samples topic and waits until the observer has it: everything
   * the agent published before it has been routed (or dropped) by then, MQTT keeping per-client order. */
  async function settle(agent: MqttClient, site: string): Promise<void> {
    const marker = `marker-${Math.random()}`;
    // Bounded: a client the broker has disconnected would wait for its PUBACK for ever.
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no PUBACK for the marker on ${samplesTopic(site)}`)), 5_000).unref());
    await Promise.race([agent.publishAsync(samplesTopic(site), marker, { qos: 1 }), timeout]);
    await waitFor(() => received.some((m) => m.payload === marker), { timeoutMs: 5_000, what: `marker on ${samplesTopic(site)}` });
  }

  beforeAll(async () => {
    if (!ready) return;
    const example = readFileSync(repo('deploy', 'mosquitto', 'hallmonitor.conf'), 'utf8');
    // The example as it is: plain on loopback (startMosquitto's own listener, on a free port) and TLS on every
    // address (a free port), with a CA and a server certificate made for this run in the broker's temp dir.
    expect(example.match(/^listener .*/gm)).toEqual([SHIPPED_PLAIN_LISTENER, SHIPPED_TLS_LISTENER]);
    tlsDir = makeTempDir('mosquitto-tls');
    certs = makeTestCertificates(tlsDir.path);
    tlsPort = await freeTcpPort();
    // The example ACL plus an observer that may read everything, to see what gets through.
    const acl = readFileSync(repo('deploy', 'mosquitto', 'hallmonitor.acl'), 'utf8');
    const passwords = makeTempDir('mosquitto-passwd');
    const passwd = join(passwords.path, 'passwd');
    for (const [index, [user, password]] of Object.entries(PASSWORDS).entries()) {
      const result = run(passwdBin!, ['-b', ...(index === 0 ? ['-c'] : []), passwd, user, password]);
      expect(result.status, result.stderr).toBe(0);
    }
    broker = await startMosquitto({
      config: exampleMosquittoConfig({ port: tlsPort, cert: certs.cert, key: certs.key }),
      files: { 'hallmonitor.passwd': readFileSync(passwd, 'utf8'), 'hallmonitor.acl': `${acl}\nuser hm-test-observer\ntopic read #\n` },
    });
    await passwords.remove();
    port = broker.port;
    const observer = await login('hm-test-observer');
    observer.on('message', (topic, payload, packet) => received.push({ topic, payload: payload.toString(), retain: packet.retain }));
    await observer.subscribeAsync('#', { qos: 1 });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await broker?.stop();
    await tlsDir?.remove();
  });

  it.skipIf(!ready)('refuses anonymous clients and wrong passwords (CONNACK 5, not authorized)', async () => {
    await expect(login(undefined)).rejects.toMatchObject({ code: 5 });
    await expect(login('north-primary-1', { password: 'wrong' })).rejects.toMatchObject({ code: 5 });
  });

  it.skipIf(!ready)('an agent publishes its samples, events and retained status with its will; the collector reads them', async () => {
    const collector = await login('hallmonitor-collector');
    const seen: string[] = [];
    collector.on('message', (topic) => seen.push(topic));
    const granted = await collector.subscribeAsync(['hallmonitor/v1/+/samples', 'hallmonitor/v1/+/events', 'hallmonitor/v1/+/status/+'], { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1, 1, 1]);

    const status = statusTopic('north-primary', 'north-primary-1');
    const agent = await login('north-primary-1', { will: { topic: status, payload: Buffer.from('offline'), qos: 1, retain: true } });
    await agent.publishAsync(status, 'online', { qos: 1, retain: true });
    await agent.publishAsync(eventsTopic('north-primary'), 'event', { qos: 1 });
    await agent.publishAsync(samplesTopic('north-primary'), 'samples', { qos: 1 });
    await waitFor(() => seen.length >= 3, { timeoutMs: 5_000, what: 'the collector to receive 3 messages' });
    expect(seen).toEqual([status, eventsTopic('north-primary'), samplesTopic('north-primary')]);
  });

  const denied: Array<[string, string]> = [
    ['samples of another site', samplesTopic('south-primary')],
    ['events of another site', eventsTopic('south-primary')],
    ['the status of another agent', statusTopic('north-primary', 'north-primary-2')],
    ['its site config (the collector publishes that)', configTopic('north-primary')],
    ['another site\'s config', configTopic('south-primary')],
    ['a topic outside hallmonitor/v1', 'elsewhere/north-primary/samples'],
  ];
  it.skipIf(!ready).each(denied)('an agent may not publish %s: Mosquitto acknowledges and drops it', async (_name, topic) => {
    const agent = await login('north-primary-1');
    received.length = 0;
    await agent.publishAsync(topic, 'denied', { qos: 1 }); // PUBACK all the same: MQTT 3.1.1 cannot say no
    await settle(agent, 'north-primary');
    expect(received.filter((m) => m.payload === 'denied')).toEqual([]);
    expect(agent.connected).toBe(true);
  });

  it.skipIf(!ready)('an agent\'s will on another agent\'s status topic is never published (no fake "offline")', async () => {
    const foreign = statusTopic('north-primary', 'north-primary-1');
    received.length = 0;
    // Mosquitto 2.0.11 accepts the CONNECT and drops the will when it would publish it.
    const faker = await login('south-primary-1', { will: { topic: foreign, payload: Buffer.from('fake offline'), qos: 1, retain: true } });
    const honest = await login('north-primary-1', { will: { topic: statusTopic('north-primary', 'north-primary-1'), payload: Buffer.from('north offline'), qos: 1, retain: false } });
    faker.stream.destroy(); // a dropped connection fires the will
    honest.stream.destroy(); // closed after the faker: its will is the control that wills do go out
    await waitFor(() => received.some((m) => m.payload === 'north offline'), { timeoutMs: 5_000, what: 'the honest will' });
    const south = await login('south-primary-1');
    await settle(south, 'south-primary');
    expect(received.filter((m) => m.payload === 'fake offline')).toEqual([]);
  });

  /**
   * Mosquitto 2.0 (acl_file) grants every subscription in its SUBACK, even "#", and checks read access per
   * message instead, retained messages included. So the test is on what arrives, and takes either SUBACK.
   */
  it.skipIf(!ready)('an agent receives only its own site\'s config, retained or live, whatever it subscribes to', async () => {
    const collector = await login('hallmonitor-collector');
    const north = await login('north-primary-1');
    await collector.publishAsync(configTopic('north-primary'), 'north config 1', { qos: 1, retain: true });
    await collector.publishAsync(configTopic('south-primary'), 'south config 1', { qos: 1, retain: true });

    const south = await login('south-primary-1');
    const got: Array<[string, string]> = [];
    south.on('message', (topic, payload) => got.push([topic, payload.toString()]));
    const filters = [configTopic('south-primary'), configTopic('north-primary'), 'hallmonitor/v1/+/config', 'hallmonitor/v1/north-primary/#', '#'];
    // mqtt.js rejects a SUBACK holding any failure code, with the packet attached.
    const granted = await south.subscribeAsync(filters, { qos: 1 }).then(
      (subs) => subs.map((sub) => sub.qos),
      (err: { packet?: { granted?: number[] } }) => err.packet?.granted,
    );
    expect(granted?.[0]).toBe(1);
    for (const code of granted!.slice(1)) expect([1, 128]).toContain(code);

    await waitFor(() => got.length > 0, { timeoutMs: 5_000, what: 'the retained south config' });
    await north.publishAsync(samplesTopic('north-primary'), 'north samples', { qos: 1 });
    await collector.publishAsync(configTopic('north-primary'), 'north config 2', { qos: 1, retain: true });
    await collector.publishAsync(configTopic('south-primary'), 'south config 2', { qos: 1, retain: true });
    // Mosquitto routes in arrival order: once "south config 2" is in, anything routed before it would be too.
    await waitFor(() => got.some(([, payload]) => payload === 'south config 2'), { timeoutMs: 5_000, what: 'the live south config' });
    expect(new Set(got.map(([topic]) => topic))).toEqual(new Set([configTopic('south-primary')]));
    expect(got.map(([, payload]) => payload)).not.toContain('north config 1');
    expect(south.connected).toBe(true);
  });

  it.skipIf(!ready)('an agent cannot take over another agent\'s session with its client id (use_username_as_clientid)', async () => {
    const north = await login('north-primary-1', { clientId: 'hm-agent-north-primary-1' });
    let northClosed = false;
    north.once('close', () => (northClosed = true));
    received.length = 0;
    const south = await login('south-primary-1', { clientId: 'hm-agent-north-primary-1' });
    expect(south.connected).toBe(true);
    await settle(south, 'south-primary'); // the broker has handled south's CONNECT by now
    expect(northClosed).toBe(false);
    await settle(north, 'north-primary'); // and north is still connected: its marker arrives
  });

  /** What a client gets from the TLS port: "connected", or the error that ended the attempt (TLS or MQTT). */
  async function tryTls(options: IClientOptions): Promise<string> {
    try {
      const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${tlsPort}`, {
        protocolVersion: 4,
        reconnectPeriod: 0,
        connectTimeout: 5_000,
        username: 'north-primary-1',
        password: PASSWORDS['north-primary-1'],
        ...options,
      });
      clients.push(client);
      return 'connected';
    } catch (err) {
      return String((err as NodeJS.ErrnoException).code ?? (err as Error).message);
    }
  }

  it.skipIf(!ready)('TLS: an agent that pins the CA connects; without it (system store) or with another CA it is refused before its password is sent', async () => {
    expect(await tryTls({ ca: readFileSync(certs.ca) })).toBe('connected');
    // Node's default trust store does not know a private CA: the agent stops at the certificate.
    expect(await tryTls({})).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
    expect(await tryTls({ ca: readFileSync(certs.wrongCa) })).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
    // Pinned CA but a wrong password: TLS is up and Mosquitto still refuses the login (CONNACK 5).
    expect(await tryTls({ ca: readFileSync(certs.ca), password: 'wrong' })).toBe('5');
  });

  it.skipIf(!ready)('TLS: the TLS port does not speak plain MQTT', async () => {
    const plain = await mqtt
      .connectAsync(`mqtt://127.0.0.1:${tlsPort}`, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 3_000, username: 'north-primary-1', password: PASSWORDS['north-primary-1'] })
      .then((c) => (clients.push(c), 'connected'), (err: Error) => err.message);
    expect(plain).not.toBe('connected');
  });

  /**
   * From another host: a network namespace whose veth reaches this host at 198.18.S.1 (test/harness/test-net.ts).
   * The plain port answers only on loopback, so from there it refuses the TCP connection; the TLS port serves
   * the agent (the certificate names "localhost", so the client asks for that name with SNI).
   */
  it.skipIf(!ready || !isRoot())('from a non-loopback address plain MQTT is not offered at all; TLS with the pinned CA is', async () => {
    const net = await createTestNet({ hosts: 1 });
    try {
      const script = `
        import { connect } from 'node:net';
        import { readFileSync } from 'node:fs';
        import mqtt from 'mqtt';
        const [host, plainPort, tlsPort, ca, password] = process.argv.slice(1);
        const tcp = (port) => new Promise((resolve) => {
          const socket = connect({ host, port: Number(port) });
          const timer = setTimeout(() => { socket.destroy(); resolve('timeout'); }, 5000);
          socket.once('connect', () => { clearTimeout(timer); socket.destroy(); resolve('open'); });
          socket.once('error', (err) => { clearTimeout(timer); resolve(err.code); });
        });
        const out = { plainTcp: await tcp(plainPort), tlsTcp: await tcp(tlsPort) };
        try {
          const client = await mqtt.connectAsync('mqtts://' + host + ':' + tlsPort, { ca: readFileSync(ca), servername: 'localhost',
            username: 'north-primary-1', password, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000 });
          out.tls = 'connected';
          await client.endAsync();
        } catch (err) { out.tls = String(err.code ?? err.message); }
        console.log(JSON.stringify(out));`;
      const result = run('ip', ['netns', 'exec', net.namespace, process.execPath, '--input-type=module', '-e', script, net.hostAddress, String(port), String(tlsPort), certs.ca, PASSWORDS['north-primary-1']!], { cwd: repo() });
      expect(result.status, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ plainTcp: 'ECONNREFUSED', tlsTcp: 'open', tls: 'connected' });
    } finally {
      await net.remove();
    }
  });
});
