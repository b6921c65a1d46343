/**
 * Helper for deploy/demo/run.sh (which starts and stops the processes): picks ports, writes the demo's
 * configs and SNMP data under .demo/, waits for the agent, and prints the summary read back from InfluxDB.
 *
 *   tsx deploy/demo/demo.ts setup   --dir .demo                 prints shell variables for run.sh
 *   tsx deploy/demo/demo.ts wait-agent --influx URL --since MS  until the agent reported itself online
 *   tsx deploy/demo/demo.ts summary --influx URL --since MS --site-file F   exit 0 when every device answered
 *
 * Everything listens on and talks to loopback addresses only.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, stringify } from 'yaml';
import { influxdConfig } from '../../test/harness/influxd.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RECORDINGS = join(REPO, 'test/fixtures/snmprec');
const SITE = 'demo-school';
const AGENT = `${SITE}-1`;
const DATABASE = 'hallmonitor';

// ---------------------------------------------------------------------------------------------------------
// The simulated school. Each SNMP device gets its own loopback address; snmpsimd answers community
// "public" there with the device's recording. (127.0.1.1 is often the host name in /etc/hosts, so start at .11.)

interface DemoDevice {
  name: string;
  role: string;
  address: string;
  parent?: string;
  /** Recording in test/fixtures/snmprec (without .snmprec); none = ping only. */
  recording?: string;
}

const DEVICES: readonly DemoDevice[] = [
  { name: 'broadband', role: 'internet', address: '127.0.1.11', recording: 'draytek' },
  { name: 'firewall', role: 'firewall', address: '127.0.1.12', parent: 'broadband', recording: 'sophos-xg_xgs2100' },
  { name: 'core-switch', role: 'core-switch', address: '127.0.1.13', parent: 'firewall', recording: 'procurve_e2910' },
  { name: 'block-b-switch', role: 'switch', address: '127.0.1.14', parent: 'core-switch', recording: 'dlink_dgs-1510-28' },
  { name: 'hall-ap', role: 'access-point', address: '127.0.1.15', parent: 'block-b-switch', recording: 'unifi_nanohd' },
  { name: 'library-ap', role: 'access-point', address: '127.0.1.16', parent: 'core-switch', recording: 'aruba-instant' },
  { name: 'file-server', role: 'server', address: '127.0.1.17', parent: 'core-switch', recording: 'windows_svr_2019_1809' },
  { name: 'office-printer', role: 'printer', address: '127.0.1.18', parent: 'block-b-switch', recording: 'jetdirect_m252dw' },
  { name: 'server-ups', role: 'ups', address: '127.0.1.19', parent: 'core-switch', recording: 'eaton-mgeups_5px' },
  { name: 'cctv-recorder', role: 'other', address: '127.0.1.20', parent: 'core-switch' },
];
const SNMP_DEVICES = DEVICES.filter((d) => d.recording !== undefined);

// ---------------------------------------------------------------------------------------------------------
// Ports: the usual one when it is free, else one the kernel hands out.

function tcpFree(port: number, host = '127.0.0.1'): Promise<number | undefined> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(undefined));
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      const got = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => done(got));
    });
  });
}

function udpFree(port: number, host: string): Promise<number | undefined> {
  return new Promise((done) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      done(undefined);
    });
    socket.bind({ port, address: host, exclusive: true }, () => {
      const got = socket.address().port;
      socket.close(() => done(got));
    });
  });
}

const taken = new Set<number>();

async function pickTcp(what: string, preferred: number): Promise<number> {
  if (!taken.has(preferred) && (await tcpFree(preferred)) !== undefined) return remember(preferred);
  for (;;) {
    const port = await tcpFree(0);
    if (port !== undefined && !taken.has(port)) {
      console.error(`note: 127.0.0.1:${preferred} (${what}) is in use; the demo uses port ${port} instead`);
      return remember(port);
    }
  }
}

/** One UDP port free on every device address (161 if possible). */
async function pickUdp(preferred: number, hosts: readonly string[]): Promise<number> {
  const freeEverywhere = async (port: number) => (await Promise.all(hosts.map((h) => udpFree(port, h)))).every((p) => p === port);
  if (await freeEverywhere(preferred)) return preferred;
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await udpFree(0, hosts[0] ?? '127.0.0.1');
    if (port !== undefined && (await freeEverywhere(port))) {
      console.error(`note: UDP port ${preferred} is not available on the device addresses; simulated SNMP devices use port ${port}`);
      return port;
    }
  }
  throw new Error('no UDP port free on all device addresses');
}

function remember(port: number): number {
  taken.add(port);
  return port;
}

// ---------------------------------------------------------------------------------------------------------
// setup: writes every generated file and prints `NAME=value` lines for run.sh to eval.

function influxConfig(dir: string, rpcPort: number, httpPort: number): string {
  return `# Generated by deploy/demo/demo.ts on each run; the data dirs below are kept between runs.\n${influxdConfig(dir, rpcPort, httpPort, true)}`;
}

/**
 * snmpsimd data: every recording as <name>.snmprec (community = name, at any address), plus, for
 * --v2c-arch, public/1.3.6.1.6.1.1.<k>.snmprec -> the recording of the device on the k-th endpoint.
 */
function writeSnmpData(snmpDir: string): void {
  const data = join(snmpDir, 'data');
  rmSync(data, { recursive: true, force: true });
  mkdirSync(join(data, 'public'), { recursive: true, mode: 0o755 });
  mkdirSync(join(snmpDir, 'cache'), { recursive: true });
  for (const file of readdirSync(RECORDINGS)) {
    if (!file.endsWith('.snmprec')) continue;
    const text = readFileSync(join(RECORDINGS, file), 'utf8');
    writeFileSync(join(data, file), withTraffic(text, file), { mode: 0o644 });
  }
  for (const file of ['README.md', 'MANIFEST.md', 'LICENSE']) {  // the recordings' licence and attribution
    const to = join(snmpDir, `recordings-${file}`);
    rmSync(to, { force: true });
    if (existsSync(join(RECORDINGS, file))) copyFileSync(join(RECORDINGS, file), to);
  }
  SNMP_DEVICES.forEach((device, k) => {
    symlinkSync(`../${device.recording}.snmprec`, join(data, 'public', `1.3.6.1.6.1.1.${k}.snmprec`));
  });
}

const IF_OPER_STATUS = '1.3.6.1.2.1.2.2.1.8.';
const IF_SPEED = '1.3.6.1.2.1.2.2.1.5.';
const IF_HIGH_SPEED = '1.3.6.1.2.1.31.1.1.1.15.';
/** Octet counters: 32-bit ifTable columns (tag 65) and 64-bit ifXTable ones (tag 70). */
const OCTETS: Record<string, 'in' | 'out'> = {
  '1.3.6.1.2.1.2.2.1.10.': 'in',
  '1.3.6.1.2.1.2.2.1.16.': 'out',
  '1.3.6.1.2.1.31.1.1.1.6.': 'in',
  '1.3.6.1.2.1.31.1.1.1.10.': 'out',
};
const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';

/**
 * The recordings are snapshots: their counters never move. For the demo, let sysUpTime tick and the
 * octet counters of interfaces that are up grow at a steady rate (snmpsim's `numeric` variation module),
 * so that traffic rates show up. The rate per interface is fixed but differs between interfaces.
 */
function withTraffic(text: string, recording: string): string {
  const lines = text.split('\n');
  const up = new Set<string>();
  const speedBps = new Map<string, number>();
  for (const line of lines) {
    const [oid = '', , value = ''] = line.split('|');
    if (oid.startsWith(IF_OPER_STATUS) && value === '1') up.add(oid.slice(IF_OPER_STATUS.length));
    if (oid.startsWith(IF_SPEED) && Number(value) > 0) speedBps.set(oid.slice(IF_SPEED.length), Number(value));
    if (oid.startsWith(IF_HIGH_SPEED) && Number(value) > 0 && !speedBps.has(oid.slice(IF_HIGH_SPEED.length))) {
      speedBps.set(oid.slice(IF_HIGH_SPEED.length), Number(value) * 1e6);
    }
  }
  return lines
    .map((line) => {
      const [oid = '', tag = '', value = ''] = line.split('|');
      if (!/^\d+$/.test(value)) return line;
      if (oid === SYS_UPTIME && tag === '67') return `${oid}|67:numeric|initial=${value},rate=100`;
      if (tag !== '65' && tag !== '70') return line;
      const column = Object.keys(OCTETS).find((prefix) => oid.startsWith(prefix));
      const index = column && oid.slice(column.length);
      if (!column || !index || !up.has(index)) return line;
      // 2 kB/s .. 2 MB/s, at most a third of the line speed.
      const share = hash(`${recording}/${index}/${OCTETS[column]}`);
      const limit = (speedBps.get(index) ?? Infinity) / 8 / 3;
      const rate = Math.max(1, Math.round(Math.min(2_000 * 1_000 ** share, limit)));
      return `${oid}|${tag}:numeric|initial=${value},rate=${rate}${tag === '65' ? ',wrap=1' : ''}`;
    })
    .join('\n');
}

/** FNV-1a, as a fraction in [0, 1). */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h / 2 ** 32;
}

function siteFile(snmpPort: number): string {
  // Faster than a real site (60 s) so the demo shows data, and interface rates, within seconds.
  const ping = { intervalSeconds: 10, probes: 3, timeoutSeconds: 1 };
  const snmp = { intervalSeconds: 10, version: '2c', community: 'public', port: snmpPort, timeoutSeconds: 2, retries: 1 };
  const site = {
    id: SITE,
    name: 'Demo School (simulated)',
    timezone: 'Europe/London',
    contacts: [{ name: 'School business manager', email: 'sbm@demo-school.example', roles: ['report'] }],
    devices: DEVICES.map((d) => ({
      name: d.name,
      address: d.address,
      role: d.role,
      ...(d.parent ? { parent: d.parent } : {}),
      // copies, so that the YAML spells each one out instead of using anchors
      checks: d.recording ? { ping: { ...ping }, snmp: { ...snmp } } : { ping: { ...ping } },
    })),
  };
  return `# Generated by deploy/demo/demo.ts: a simulated school. Every address is on loopback; the SNMP\n# devices are snmpsimd serving recordings of real devices (test/fixtures/snmprec).\n${stringify(site)}`;
}

async function setup(dir: string): Promise<void> {
  const influxPort = await pickTcp('InfluxDB HTTP', Number(process.env.HM_DEMO_INFLUX_PORT ?? 8086));
  const rpcPort = await pickTcp('InfluxDB RPC', 8088);
  const brokerPort = await pickTcp('MQTT broker', Number(process.env.HM_DEMO_BROKER_PORT ?? 1883));
  const root = process.getuid?.() === 0;
  const snmpPort = await pickUdp(root ? 161 : 1161, SNMP_DEVICES.map((d) => d.address));

  const influxDir = join(dir, 'influxdb');
  mkdirSync(influxDir, { recursive: true });
  writeFileSync(join(influxDir, 'influxdb.conf'), influxConfig(influxDir, rpcPort, influxPort));

  writeSnmpData(join(dir, 'snmp'));

  const collectorDir = join(dir, 'collector');
  mkdirSync(join(collectorDir, 'sites'), { recursive: true });
  const influxUrl = `http://127.0.0.1:${influxPort}`;
  const collector = {
    broker: { host: '127.0.0.1', port: brokerPort },
    influx: { url: influxUrl, database: DATABASE, flushIntervalMs: 1000 },
    sitesDir: 'sites',
    agentsFile: 'agents.yaml',
    logLevel: 'info',
  };
  writeFileSync(join(collectorDir, 'collector.yaml'), `# Generated by deploy/demo/demo.ts on each run.\n${stringify(collector)}`);
  writeFileSync(join(collectorDir, 'sites', `${SITE}.yaml`), siteFile(snmpPort));
  // A fresh credential each run (run.sh saves the new agent.yaml): the port may differ from last time.
  rmSync(join(collectorDir, 'agents.yaml'), { force: true });
  mkdirSync(join(dir, 'agent'), { recursive: true });

  const vars: Record<string, string | number> = {
    INFLUX_PORT: influxPort,
    INFLUX_URL: influxUrl,
    BROKER_PORT: brokerPort,
    SNMP_PORT: snmpPort,
    SNMP_ENDPOINTS: SNMP_DEVICES.map((d) => `${d.address}:${snmpPort}`).join(' '),
    CORE_SWITCH_SNMP: `${DEVICES.find((d) => d.role === 'core-switch')?.address}:${snmpPort}`,
    SITE,
    AGENT,
    DATABASE,
    DEVICE_COUNT: DEVICES.length,
  };
  for (const [k, v] of Object.entries(vars)) console.log(`${k}='${v}'`);
}

// ---------------------------------------------------------------------------------------------------------
// InfluxDB reads

interface Series {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

async function query(influx: string, q: string): Promise<Series[]> {
  const params = new URLSearchParams({ db: DATABASE, q, epoch: 'ms' });
  const response = await fetch(`${influx}/query?${params}`, { signal: AbortSignal.timeout(5_000) });
  const body = (await response.json()) as { results?: { series?: Series[]; error?: string }[]; error?: string };
  const error = body.error ?? body.results?.find((r) => r.error)?.error;
  if (!response.ok || error) throw new Error(`InfluxDB: ${error ?? `HTTP ${response.status}`}`);
  return body.results?.[0]?.series ?? [];
}

/** device -> column -> value, from a `... GROUP BY device` query returning one row per series. */
async function lastByDevice(influx: string, q: string): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const s of await query(influx, q)) {
    const row = s.values[0] ?? [];
    out.set(s.tags?.device ?? '?', Object.fromEntries(s.columns.map((c, i) => [c, row[i]])));
  }
  return out;
}

async function waitAgent(influx: string, since: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const rows = await query(influx, `SELECT last(online) FROM agent_status WHERE agent='${AGENT}' AND time >= ${since}ms`);
      if (rows[0]?.values[0]?.[1] === 1) return;
    } catch {
      // the database appears once the collector created it
    }
    await sleep(500);
  }
  throw new Error(`the agent did not report itself online within ${timeoutMs / 1000} s`);
}

const mbps = (bps: number) => (bps / 1e6).toFixed(bps < 1e7 ? 2 : 1);
const pad = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n));

async function summary(influx: string, since: number, siteFilePath: string): Promise<boolean> {
  const site = parse(readFileSync(siteFilePath, 'utf8')) as { devices: { name: string; role: string; checks: { snmp?: unknown } }[] };
  const where = `site='${SITE}' AND time >= ${since}ms`;
  const [ping, snmp, ifaces, counts] = await Promise.all([
    lastByDevice(influx, `SELECT last(up) AS up, last(rtt_avg_ms) AS rtt FROM ping WHERE ${where} GROUP BY device`),
    lastByDevice(influx, `SELECT last(up) AS up, last(interfaces) AS interfaces, last(sys_descr) AS descr FROM snmp WHERE ${where} GROUP BY device`),
    query(influx, `SELECT last(oper_status) AS oper, last(in_bps) AS in_bps, last(out_bps) AS out_bps FROM interface WHERE ${where} GROUP BY device, if_index`),
    query(influx, `SELECT count(up) FROM ping, snmp WHERE ${where}`),
  ]);
  const ports = new Map<string, { total: number; up: number; inBps?: number; outBps?: number }>();
  for (const s of ifaces) {
    const device = s.tags?.device ?? '?';
    const p = ports.get(device) ?? { total: 0, up: 0 };
    const [, oper, inBps, outBps] = s.values[0] ?? [];
    p.total++;
    if (oper === 1) p.up++;
    if (typeof inBps === 'number') p.inBps = (p.inBps ?? 0) + inBps;
    if (typeof outBps === 'number') p.outBps = (p.outBps ?? 0) + outBps;
    ports.set(device, p);
  }

  const seconds = Math.round((Date.now() - since) / 1000);
  console.log(`\n== ${SITE}: what InfluxDB holds from this run (last ${seconds} s) ==`);
  console.log(`${pad('DEVICE', 16)}${pad('ROLE', 14)}${pad('PING', 14)}${pad('SNMP', 6)}${pad('INTERFACES', 12)}${pad('IN/OUT', 15)}SYSTEM`);
  let pingUp = 0;
  let snmpUp = 0;
  let snmpExpected = 0;
  let interfaces = 0;
  for (const device of site.devices) {
    const p = ping.get(device.name);
    const s = snmp.get(device.name);
    const i = ports.get(device.name);
    const wantsSnmp = device.checks.snmp !== undefined;
    if (wantsSnmp) snmpExpected++;
    if (p?.up === 1) pingUp++;
    if (s?.up === 1 && (i?.total ?? 0) > 0) snmpUp++;
    interfaces += i?.total ?? 0;
    const pingText = !p ? 'no data yet' : p.up === 1 ? `up ${Number(p.rtt).toFixed(3)} ms` : 'DOWN';
    const snmpText = !wantsSnmp ? '-' : !s ? 'none' : s.up === 1 ? 'up' : 'DOWN';
    const ifText = !wantsSnmp ? '-' : i ? `${i.total} (${i.up} up)` : '0';
    const traffic = !i ? '' : i.inBps === undefined ? '(2nd poll)' : `${mbps(i.inBps)}/${mbps(i.outBps ?? 0)} Mb/s`;
    const descr = String(s?.descr ?? (wantsSnmp && s?.up === 1 ? '(empty sysDescr)' : '')).split(/\r?\n/)[0] ?? '';
    console.log(`${pad(device.name, 16)}${pad(device.role, 14)}${pad(pingText, 14)}${pad(snmpText, 6)}${pad(ifText, 12)}${pad(traffic, 15)}${pad(descr, 36).trimEnd()}`);
  }
  const samples = counts.reduce((n, s) => n + Number(s.values[0]?.[1] ?? 0), 0);
  const through = ports.get('core-switch');
  const ok = pingUp === site.devices.length && snmpUp === snmpExpected && interfaces > 0;
  console.log(
    `${ok ? 'OK' : 'NOT YET'}: ${pingUp}/${site.devices.length} devices answer ping, ${snmpUp}/${snmpExpected} answer SNMP, ` +
      `${interfaces} interfaces, ${samples} ping+snmp samples stored` +
      (through?.inBps !== undefined ? `; the core switch moves ${mbps(through.inBps + (through.outBps ?? 0))} Mbit/s.` : '.'),
  );
  return ok;
}

// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      dir: { type: 'string', default: join(REPO, '.demo') },
      influx: { type: 'string', default: 'http://127.0.0.1:8086' },
      since: { type: 'string', default: '0' },
      'site-file': { type: 'string', default: join(REPO, '.demo/collector/sites', `${SITE}.yaml`) },
      timeout: { type: 'string', default: '60' },
    },
  });
  switch (command) {
    case 'setup':
      await setup(resolve(values.dir));
      return 0;
    case 'wait-agent':
      await waitAgent(values.influx, Number(values.since), Number(values.timeout) * 1000);
      return 0;
    case 'summary':
      return (await summary(values.influx, Number(values.since), values['site-file'])) ? 0 : 1;
    default:
      console.error('usage: demo.ts setup|wait-agent|summary [--dir D] [--influx URL] [--since MS] [--site-file F]');
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`demo: ${error.message}`);
    process.exit(1);
  },
);
