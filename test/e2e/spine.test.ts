import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createLogger, decodeMessage, samplesBatchSchema, type Sample } from '../../contract/index.ts';
import { addAgent } from '../../collector/agents/store.ts';
import { loadCollectorConfig } from '../../collector/config/load.ts';
import { startCollector, type RunningCollector } from '../../collector/run.ts';
import {
  createDeadHost,
  freeTcpPort,
  makeTempDir,
  recordingInterfaceIndexes,
  recordingText,
  spawnService,
  startInflux,
  startSnmpsim,
  waitFor,
  type DeadHost,
  type InfluxServer,
  type ServiceProcess,
  type SnmpsimServer,
  type TempDir,
} from '../harness/index.ts';

/**
 * The spine, end to end on real services: snmpsimd serving real device recordings and the system ping
 * → the agent (its real CLI, as a separate process) → the collector's embedded broker → InfluxDB.
 */
const SITE = 'e2e-school';
const DB = 'hallmonitor_e2e';
const AGENT_BIN = fileURLToPath(new URL('../../bin/hallmonitor-agent.js', import.meta.url));
const SYS_DESCR = '1.3.6.1.2.1.1.1.0';

/** device name -> [recording, role] */
const SNMP_DEVICES: Record<string, [string, string]> = {
  'core-switch': ['procurve_e2910', 'core-switch'],
  'hall-ap': ['unifi_nanohd', 'access-point'],
  firewall: ['fortigate_60f', 'firewall'],
  router: ['draytek', 'internet'],
  'file-server': ['windows_svr_2019_1809', 'server'],
  'office-printer': ['jetdirect_m252dw', 'printer'],
  'server-ups': ['eaton-mgeups_5px', 'ups'],
};

let influx: InfluxServer;
let snmpsim: SnmpsimServer;
let dead: DeadHost;
let dir: TempDir;
let collector: RunningCollector;
let agent: ServiceProcess;
const published: Sample[] = [];

async function select(q: string): Promise<unknown[][]> {
  const [result] = await influx.query(q, DB);
  return result?.series?.flatMap((s) => s.values) ?? [];
}

beforeAll(async () => {
  [influx, snmpsim, dead] = await Promise.all([
    startInflux(),
    startSnmpsim({ recordings: Object.values(SNMP_DEVICES).map(([rec]) => rec) }),
    createDeadHost(),
  ]);
  dir = makeTempDir('hm-e2e-');
  mkdirSync(join(dir.path, 'sites'));
  const brokerPort = await freeTcpPort();
  writeFileSync(
    join(dir.path, 'collector.yaml'),
    stringify({ broker: { host: '127.0.0.1', port: brokerPort }, influx: { url: influx.url, database: DB, flushIntervalMs: 200 } }),
  );
  const fast = { intervalSeconds: 2 };
  const devices = [
    ...Object.entries(SNMP_DEVICES).map(([name, [recording, role]]) => ({
      name,
      address: '127.0.0.1',
      role,
      ...(name === 'hall-ap' ? { parent: 'core-switch' } : {}),
      checks: { snmp: { ...fast, community: recording, port: snmpsim.port, timeoutSeconds: 1, retries: 0 } },
    })),
    { name: 'live-host', address: '127.0.0.3', role: 'server', checks: { ping: { ...fast, probes: 3, timeoutSeconds: 1 } } },
    { name: 'dead-host', address: dead.address, role: 'other', checks: { ping: { ...fast, probes: 3, timeoutSeconds: 1 } } },
  ];
  writeFileSync(join(dir.path, 'sites', `${SITE}.yaml`), stringify({ id: SITE, name: 'E2E School', timezone: 'Europe/London', devices }));
  const { password } = await addAgent(join(dir.path, 'agents.yaml'), { id: `${SITE}-1`, site: SITE });

  collector = await startCollector(loadCollectorConfig(join(dir.path, 'collector.yaml')), createLogger('collector', 'warn'));
  // Watch what the agent actually sent, to compare with what InfluxDB stored.
  collector.broker.aedes.on('publish', (packet) => {
    if (!packet.topic.endsWith('/samples')) return;
    const batch = decodeMessage(samplesBatchSchema, packet.payload as Buffer);
    if (batch.ok) published.push(...batch.value.samples);
  });

  writeFileSync(
    join(dir.path, 'agent.yaml'),
    stringify({ agent: `${SITE}-1`, site: SITE, broker: { url: `mqtt://127.0.0.1:${brokerPort}`, password }, dataDir: 'agent-data', batch: { maxDelayMs: 200 } }),
  );
  agent = await spawnService({ name: 'agent', command: process.execPath, args: [AGENT_BIN, 'run', '-c', join(dir.path, 'agent.yaml')], dir: dir.path });
  await collector.storageReady;

  // Two SNMP polls of every device (the second gives rates) and the ping results of both hosts.
  await waitFor(
    async () => {
      const [result] = await influx.query(`SELECT count(up) FROM snmp WHERE site='${SITE}' GROUP BY device`, DB);
      const perDevice = (result?.series ?? []).map((s) => Number(s.values[0]?.[1]));
      const pings = await select(`SELECT count(up) FROM ping WHERE site='${SITE}' GROUP BY device`);
      return perDevice.length === Object.keys(SNMP_DEVICES).length && perDevice.every((n) => n >= 2) && pings.length === 2;
    },
    { timeoutMs: 45_000, what: 'two SNMP polls per device and both ping results in InfluxDB', intervalMs: 500, service: agent },
  );
  await collector.writer.flush();
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await collector?.stop();
  await Promise.allSettled([influx?.stop(), snmpsim?.stop(), dead?.remove()]);
  dir?.remove();
});

describe('agent → MQTT → collector → InfluxDB', () => {
  it('stores one interface series per row of each recording', async () => {
    for (const [device, [recording]] of Object.entries(SNMP_DEVICES)) {
      const [result] = await influx.query(`SHOW TAG VALUES FROM interface WITH KEY = if_index WHERE site='${SITE}' AND device='${device}'`, DB);
      const stored = (result?.series?.[0]?.values ?? []).map((v) => Number(v[1])).sort((a, b) => a - b);
      expect({ device, interfaces: stored }).toEqual({ device, interfaces: recordingInterfaceIndexes(recording) });
    }
  });

  it('stores each device\'s sysDescr as recorded', async () => {
    for (const [device, [recording]] of Object.entries(SNMP_DEVICES)) {
      const rows = await select(`SELECT last(sys_descr) FROM snmp WHERE site='${SITE}' AND device='${device}'`);
      const expected = recordingText(recording, SYS_DESCR) ?? '';
      // fortigate_60f records an empty sysDescr: an empty string field, or none at all, both say "nothing".
      expect({ device, sysDescr: rows[0]?.[1] ?? '' }).toEqual({ device, sysDescr: expected });
    }
  });

  it('computes rates from the second poll on, with 64-bit counters where the device has them', async () => {
    const rows = await select(`SELECT in_bps, counter_bits FROM interface WHERE site='${SITE}' AND device='core-switch' AND in_bps >= 0`);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r[2] === 64)).toBe(true);
    const draytek = await select(`SELECT last(counter_bits) FROM interface WHERE site='${SITE}' AND device='router'`);
    expect(draytek[0]?.[1]).toBe(32);
  });

  it('the live ping target is up with no loss, the dead one down with 100 % loss', async () => {
    const live = await select(`SELECT up, loss_pct, rtt_avg_ms FROM ping WHERE site='${SITE}' AND device='live-host'`);
    const deadRows = await select(`SELECT up, loss_pct FROM ping WHERE site='${SITE}' AND device='dead-host'`);
    expect(live.length).toBeGreaterThan(0);
    expect(deadRows.length).toBeGreaterThan(0);
    for (const r of live) expect([r[1], r[2], typeof r[3]]).toEqual([1, 0, 'number']);
    for (const r of deadRows) expect([r[1], r[2]]).toEqual([0, 100]);
  });

  it('every stored sample carries the time it was measured, to the millisecond', async () => {
    // The agent keeps polling: take what was published so far, then wait until all of it is written.
    const sent = published.filter((s) => s.measurement === 'ping' || s.measurement === 'snmp');
    expect(sent.length).toBeGreaterThan(0);
    await collector.writer.flush();
    const rows = await select(`SELECT up, device FROM ping, snmp WHERE site='${SITE}'`);
    const stored = new Set(rows.map((r) => `${r[2]}@${Date.parse(String(r[0]))}`));
    for (const s of sent) expect(stored.has(`${s.tags.device}@${s.time}`), `${s.measurement} ${s.tags.device} at ${s.time}`).toBe(true);
    expect(collector.ingest.stats().rejects).toEqual({ topic: 0, invalid: 0, 'site-mismatch': 0, 'agent-mismatch': 0 });
  });

  it('the agent saved the pushed site config to disk and reported itself online', async () => {
    const saved = JSON.parse(readFileSync(join(dir.path, 'agent-data', 'site-config.json'), 'utf8'));
    expect(saved.site).toBe(SITE);
    expect(saved.devices).toHaveLength(Object.keys(SNMP_DEVICES).length + 2);
    const status = await select(`SELECT last(online) FROM agent_status WHERE agent='${SITE}-1'`);
    expect(status[0]?.[1]).toBe(1);
    expect(existsSync(join(dir.path, 'agent-data', 'sequence'))).toBe(true);
  });
});
