import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { agentConfigSchema } from '../agent/config/schema.ts';
import { loadCollectorConfig } from '../collector/config/load.ts';
import { configTopic, eventsTopic, loadConfigFile, samplesTopic, statusTopic } from '../contract/index.ts';
import { makeTempDir, startMosquitto, waitFor, type MosquittoServer, type TempDir } from './harness/index.ts';
import { exampleMosquittoConfig } from './external-broker/rig.ts';
import { isRoot, nobody } from './harness/users.ts';

/**
 * What a provider installs from deploy/: systemd units, the Mosquitto config for the external-broker mode,
 * the Docker Compose file and the install scripts. Each is checked by the tool that will read it where that
 * tool runs here (systemd-analyze, mosquitto, bash), and against the repository it points into.
 */
const REPO = fileURLToPath(new URL('..', import.meta.url));
const repo = (...parts: string[]) => join(REPO, ...parts);

/** A program on PATH or in the sbin folders a non-root PATH may lack; undefined if not installed. */
function findProgram(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

function run(command: string, args: string[], options: { input?: string; cwd?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, { encoding: 'utf8', timeout: 60_000, ...options });
}

/** `Key=value` lines of a unit file (comments and sections dropped); repeated keys keep every value. */
function unitSettings(file: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match) settings.set(match[1]!, [...(settings.get(match[1]!) ?? []), match[2]!]);
  }
  return settings;
}
const setting = (settings: Map<string, string[]>, key: string): string | undefined => settings.get(key)?.at(-1);

const UNITS = ['hallmonitor-agent.service', 'hallmonitor-collector.service'] as const;
const unitPath = (name: string) => repo('deploy', 'systemd', name);

describe('deploy/systemd', () => {
  const systemdAnalyze = findProgram('systemd-analyze');

  it('units pass `systemd-analyze verify` without a single warning', (ctx) => {
    if (!systemdAnalyze) {
      console.warn('deploy/systemd: systemd-analyze is not installed here; unit files not verified');
      return ctx.skip('systemd-analyze not installed');
    }
    const result = run(systemdAnalyze, ['verify', ...UNITS.map(unitPath)]);
    // verify exits 0 even for unknown keys; the warnings only show on stderr.
    expect({ status: result.status, stderr: result.stderr.trim(), stdout: result.stdout.trim() }).toEqual({ status: 0, stderr: '', stdout: '' });
  });

  it('units keep their hardening: `systemd-analyze security --offline` rates both OK or better', (ctx) => {
    if (!systemdAnalyze) return ctx.skip('systemd-analyze not installed');
    for (const unit of UNITS) {
      const result = run(systemdAnalyze, ['security', '--offline=yes', '--no-pager', unitPath(unit)]);
      const overall = /Overall exposure level for \S+: ([\d.]+) (\w+)/.exec(result.stdout);
      if (!overall) return ctx.skip(`systemd-analyze security --offline not supported here: ${result.stderr.trim()}`);
      // 0-10, lower is better; a dropped hardening line (ProtectSystem, NoNewPrivileges, ...) pushes it up.
      expect(Number(overall[1]), `${unit}: ${overall[0]}`).toBeLessThan(2.5);
    }
  });

  it('units run the installed bins with the installed configs and the agent keeps state where agent.yaml says', () => {
    for (const [unit, bin, config] of [
      ['hallmonitor-agent.service', 'hallmonitor-agent', 'agent.yaml'],
      ['hallmonitor-collector.service', 'hallmonitor-collector', 'collector.yaml'],
    ] as const) {
      const settings = unitSettings(unitPath(unit));
      expect(setting(settings, 'ExecStart')).toBe(`/usr/bin/env node /opt/hallmonitor/bin/${bin}.js run -c /etc/hallmonitor/${config}`);
      expect(existsSync(repo('bin', `${bin}.js`))).toBe(true);
      expect(setting(settings, 'User')).toBe('hallmonitor');
      expect(setting(settings, 'NoNewPrivileges')).toBe('yes');
      expect(setting(settings, 'ProtectSystem')).toBe('strict');
      expect(setting(settings, 'RestartPreventExitStatus')).toBe('2'); // contract/cli.ts: config errors exit 2
    }
    const agent = unitSettings(unitPath('hallmonitor-agent.service'));
    const stateDir = `/var/lib/${setting(agent, 'StateDirectory')}`;
    expect(loadConfigFile(repo('deploy', 'examples', 'agent.yaml'), agentConfigSchema).dataDir).toBe(stateDir);
    expect(readFileSync(repo('deploy', 'install', 'install-agent.sh'), 'utf8')).toContain(`STATE_DIR=${stateDir}`);
    const collector = unitSettings(unitPath('hallmonitor-collector.service'));
    expect(setting(collector, 'CapabilityBoundingSet')).toBe('');
  });

  /**
   * The agent unit's privilege design, emulated with setpriv (what systemd does with User=, NoNewPrivileges=,
   * CapabilityBoundingSet= and AmbientCapabilities=): the system ping works as an unprivileged user only with
   * the ambient CAP_NET_RAW, because no_new_privs makes the kernel ignore ping's own file capability.
   */
  it('agent unit: system ping and the trap port work under the unit\'s privileges, and fail without the ambient capabilities', (ctx) => {
    const setpriv = findProgram('setpriv');
    const ping = findProgram('ping');
    if (!isRoot() || !setpriv || !ping) {
      console.warn('deploy/systemd: ping privilege check needs root, setpriv and ping; skipped');
      return ctx.skip('needs root, setpriv and ping');
    }
    const unit = unitSettings(unitPath('hallmonitor-agent.service'));
    const caps = (key: string) => (setting(unit, key) ?? '').split(/\s+/).filter(Boolean).map((c) => c.replace(/^CAP_/, '').toLowerCase());
    expect(caps('AmbientCapabilities')).toEqual(['net_raw', 'net_bind_service']);
    expect(caps('CapabilityBoundingSet')).toEqual(['net_raw', 'net_bind_service']);
    const user = nobody();
    const base = [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--no-new-privs', `--bounding-set=-all,+${caps('CapabilityBoundingSet').join(',+')}`];
    const ambient = [`--inh-caps=-all,+${caps('AmbientCapabilities').join(',+')}`, `--ambient-caps=+${caps('AmbientCapabilities').join(',+')}`];
    // Through sh, as node spawns it: the exec of ping happens in a process that holds only what the unit gives.
    const pingOnce = (extra: string[]) => run(setpriv, [...base, ...extra, 'sh', '-c', `exec ${ping} -c 1 -W 1 127.0.0.1`]);

    const granted = pingOnce(ambient);
    expect(granted.status, granted.stderr).toBe(0);
    // The trap port: a UDP port below 1024 (999 here: 162 may be held by another test's agent).
    const bindLow = (extra: string[]) =>
      run(setpriv, [...base, ...extra, process.execPath, '-e', "const s=require('node:dgram').createSocket('udp4');s.on('error',e=>{console.error(e.code);process.exit(1)});s.bind(999,'127.0.0.1',()=>s.close())"]);
    const bound = bindLow(ambient);
    expect(bound.status, bound.stderr).toBe(0);
    expect(bindLow([]).stderr).toMatch(/EACCES/);

    // Without the ambient capability ping can only fall back to an unprivileged ICMP socket, which
    // net.ipv4.ping_group_range allows only for the groups in its range (Debian 12's default "1 0": none).
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8').trim().split(/\s+/).map(Number);
    if (user.gid >= low! && user.gid <= high!) return ctx.skip(`ping_group_range ${low} ${high} lets any user ping; nothing to show`);
    const refused = pingOnce([]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/Operation not permitted|cap_net_raw/);
  });
});

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
  const clients: MqttClient[] = [];
  const received: Array<{ topic: string; payload: string; retain: boolean }> = [];

  async function login(user: string | undefined, extra: IClientOptions = {}): Promise<MqttClient> {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      protocolVersion: 4, // MQTT 3.1.1, as the agents speak
      reconnectPeriod: 0,
      connectTimeout: 5_000,
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
    // The example as it is (startMosquitto puts it on a free loopback port, with its files in a temp dir).
    expect(example.match(/^listener .*/gm)).toEqual(['listener 1883']);
    // The example ACL plus an observer that may read everything, to see what gets through.
    const acl = readFileSync(repo('deploy', 'mosquitto', 'hallmonitor.acl'), 'utf8');
    const passwords = makeTempDir('mosquitto-passwd');
    const passwd = join(passwords.path, 'passwd');
    for (const [index, [user, password]] of Object.entries(PASSWORDS).entries()) {
      const result = run(passwdBin!, ['-b', ...(index === 0 ? ['-c'] : []), passwd, user, password]);
      expect(result.status, result.stderr).toBe(0);
    }
    broker = await startMosquitto({
      config: exampleMosquittoConfig(),
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
});

describe('deploy/docker: compose file sanity (Docker does not run here)', () => {
  const dockerDir = repo('deploy', 'docker');
  const compose = parse(readFileSync(join(dockerDir, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, { image?: string; build?: { context: string; dockerfile: string }; volumes?: string[] }>;
    volumes: Record<string, unknown>;
  };

  it('has InfluxDB 1.8, Grafana and the collector built from the Dockerfile on node:20-slim', () => {
    expect(compose.services['influxdb']?.image).toBe('influxdb:1.8');
    expect(compose.services['grafana']?.image).toMatch(/^grafana\/grafana:/);
    const build = compose.services['collector']?.build;
    const context = join(dockerDir, build!.context);
    const dockerfile = readFileSync(join(context, build!.dockerfile), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20-slim\b/m);
    expect(dockerfile).toContain('npm ci --omit=dev');
    // Every COPY source (but the build stage's output) exists in the context.
    for (const [, sources] of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const source of sources!.split(' ')) expect(existsSync(join(context, source)), `COPY ${source}`).toBe(true);
    }
  });

  it('mounts exist: bind sources are files in this repository, named volumes are declared', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.')) expect(existsSync(join(dockerDir, source)), `${name}: ${volume}`).toBe(true);
        else expect(compose.volumes, `${name}: ${volume}`).toHaveProperty(source);
      }
    }
  });

  it('the mounted collector config validates, and keeps the agents file in the writable volume', () => {
    const config = loadCollectorConfig(join(dockerDir, 'config', 'collector.yaml'));
    expect(config.influx.url).toBe('http://influxdb:8086');
    expect(compose.services['collector']?.volumes).toContain('collector-state:/var/lib/hallmonitor-collector');
    expect(config.agentsFile).toBe('/var/lib/hallmonitor-collector/agents.yaml');
    expect(statSync(config.sitesDir).isDirectory()).toBe(true);
  });
});

describe('deploy/install', () => {
  const scripts = ['common.sh', 'install-agent.sh', 'install-collector.sh'].map((s) => repo('deploy', 'install', s));
  const SNIPPET = [
    '# hallmonitor agent "north-primary-1" for site "north-primary".', // as `agent add` prints it
    'agent: north-primary-1',
    'site: north-primary',
    'broker:',
    '  url: mqtt://collector.provider.example:1883',
    '  password: not-a-real-secret',
  ].join('\n'); // no final newline, as a paste may end
  let root: TempDir;
  beforeAll(() => {
    root = makeTempDir('install-root');
  });
  afterAll(async () => {
    await root?.remove();
  });
  const installAgent = (args: string[], input?: string) =>
    run('bash', [scripts[1]!, '--root', root.path, ...args], input === undefined ? {} : { input });

  it('scripts parse (bash -n)', () => {
    for (const script of scripts) {
      const result = run('bash', ['-n', script]);
      expect(result.status, `${script}: ${result.stderr}`).toBe(0);
    }
  });

  it('--dry-run prints every step and changes nothing', () => {
    for (const [script, args] of [
      [scripts[1]!, ['--config', '-']],
      [scripts[2]!, []],
    ] as const) {
      const result = run('bash', [script, '--dry-run', '--root', root.path, ...args], { input: SNIPPET });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/would run: .*npm ci .*--omit=dev/);
      expect(result.stdout).toMatch(/would run: install -m 0644 \S+ \S+\/etc\/systemd\/system\/hallmonitor-(agent|collector)\.service/);
      expect(result.stdout).toContain('Dry run: nothing was changed.');
      expect(readdirSync(root.path)).toEqual([]);
    }
  });

  it('installs under --root from a pasted `agent add` snippet: package, config 0640 with dataDir, unit; again: no change', () => {
    const first = installAgent(['--no-npm', '--config', '-'], SNIPPET);
    expect(first.status, first.stdout + first.stderr).toBe(0);

    const prefix = join(root.path, 'opt', 'hallmonitor');
    expect(existsSync(join(prefix, 'bin', 'hallmonitor-agent.js'))).toBe(true);
    expect(existsSync(join(prefix, 'package-lock.json'))).toBe(true);
    for (const devOnly of ['.git', 'node_modules', 'test', 'bench']) expect(existsSync(join(prefix, devOnly)), devOnly).toBe(false);

    const config = join(root.path, 'etc', 'hallmonitor', 'agent.yaml');
    expect(statSync(config).mode & 0o777).toBe(0o640);
    expect(statSync(join(root.path, 'etc', 'hallmonitor')).mode & 0o777).toBe(0o750);
    const loaded = loadConfigFile(config, agentConfigSchema);
    expect(loaded).toMatchObject({ agent: 'north-primary-1', site: 'north-primary', dataDir: '/var/lib/hallmonitor-agent' });
    const unit = join(root.path, 'etc', 'systemd', 'system', 'hallmonitor-agent.service');
    expect(readFileSync(unit, 'utf8')).toBe(readFileSync(unitPath('hallmonitor-agent.service'), 'utf8'));

    const before = readFileSync(config, 'utf8');
    const again = installAgent(['--no-npm']);
    expect(again.status, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('keeping the installed /etc/hallmonitor/agent.yaml');
    expect(again.stdout).toMatch(/hallmonitor-agent\.service unchanged/);
    expect(readFileSync(config, 'utf8')).toBe(before);
  });

  it('refuses to start without a config to install, naming what to give', () => {
    const empty = makeTempDir('install-empty');
    try {
      const result = run('bash', [scripts[1]!, '--root', empty.path, '--no-npm']);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('--config');
      expect(readdirSync(empty.path)).toEqual([]);
    } finally {
      void empty.remove();
    }
  });
});
