import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { stringify } from 'yaml';
import { createLogger } from '../../contract/index.ts';
import { addAgent } from '../../collector/agents/store.ts';
import { loadCollectorConfig, type ResolvedCollectorConfig } from '../../collector/config/load.ts';
import { startCollector, type RunningCollector } from '../../collector/run.ts';
import { freeTcpPort, makeTempDir, spawnService, startInflux, startSnmpsim, type InfluxServer, type ServiceProcess, type SnmpsimServer, type TempDir } from '../harness/index.ts';

const AGENT_BIN = fileURLToPath(new URL('../../bin/hallmonitor-agent.js', import.meta.url));
const COLLECTOR_BIN = fileURLToPath(new URL('../../bin/hallmonitor-collector.js', import.meta.url));

export const SCHOOL_A = 'north-primary';
export const SCHOOL_B = 'south-academy';
/** A third school, for revoking and rotating a link while the other tests use A's and B's. */
export const SCHOOL_C = 'west-infants';
export const PRINTER_RECORDING = 'brother_hl5370dw';
export const AP_RECORDING = 'unifi_nanohd';
export const UPS_RECORDING = 'apc_smt750x-nmc2';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface WebRig {
  dir: TempDir;
  collector: RunningCollector;
  config: ResolvedCollectorConfig;
  /** http://127.0.0.1:<port> */
  base: string;
  /** snmpsimd serving the printer alone: stopped (SIGSTOP) to take the printer down. */
  printerSim: SnmpsimServer;
  browser: Browser;
  cli(args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Two schools on one collector (in this process), InfluxDB, a real agent for school A polling a printer, an
 * access point and a UPS simulated by snmpsimd from real recordings and pinging loopback addresses (a router, a
 * private NAS, the phone system), and Debian's Chromium. Schools B and C have no agent: B's page is what A's link
 * must never reach; C's link is revoked and rotated.
 */
export async function startWebRig(): Promise<WebRig> {
  let influx: InfluxServer | undefined;
  let printerSim: SnmpsimServer | undefined;
  let otherSim: SnmpsimServer | undefined;
  let dir: TempDir | undefined;
  let collector: RunningCollector | undefined;
  let agent: ServiceProcess | undefined;
  let browser: Browser | undefined;
  const cleanup = async () => {
    if (printerSim) process.kill(printerSim.pid, 'SIGCONT');
    await browser?.close().catch(() => undefined);
    await agent?.stop();
    await collector?.stop();
    await Promise.allSettled([influx?.stop(), printerSim?.stop(), otherSim?.stop()]);
    await dir?.remove();
  };
  try {
    [influx, printerSim, otherSim] = await Promise.all([
      startInflux(),
      startSnmpsim({ recordings: [PRINTER_RECORDING] }),
      startSnmpsim({ recordings: [AP_RECORDING, UPS_RECORDING] }),
    ]);
    dir = makeTempDir('hm-web-');
    mkdirSync(join(dir.path, 'sites'));
    const [brokerPort, webPort] = [await freeTcpPort(), await freeTcpPort()];
    const base = `http://127.0.0.1:${webPort}`;
    const config = join(dir.path, 'collector.yaml');
    writeFileSync(
      config,
      stringify({
        broker: { host: '127.0.0.1', port: brokerPort },
        influx: { url: influx.url, database: 'hallmonitor_web', flushIntervalMs: 200 },
        alerts: { evaluateEvery: '500ms', heartbeatTimeout: '15s', rules: { 'device-down': { for: '1s' } } },
        web: { host: '127.0.0.1', port: webPort, publicUrl: base, refreshSeconds: 1, availabilityMinutes: 0.05, grafanaUrl: 'http://grafana.provider.example:3000' },
      }),
    );
    const snmp = (sim: SnmpsimServer, community: string) => ({ snmp: { community, port: sim.port, intervalSeconds: 2, timeoutSeconds: 0.5, retries: 0 } });
    const ping = { ping: { intervalSeconds: 1, probes: 1, timeoutSeconds: 0.5 } };
    writeFileSync(
      join(dir.path, 'sites', `${SCHOOL_A}.yaml`),
      stringify({
        id: SCHOOL_A,
        name: 'North Primary School',
        devices: [
          { name: 'router', address: '127.0.0.2', role: 'internet', checks: ping },
          { name: 'hall-ap', address: '127.0.0.1', role: 'access-point', checks: snmp(otherSim, AP_RECORDING) },
          { name: 'office-printer', address: '127.0.0.1', role: 'printer', checks: snmp(printerSim, PRINTER_RECORDING) },
          { name: 'cupboard-ups', address: '127.0.0.1', role: 'ups', checks: snmp(otherSim, UPS_RECORDING) },
          { name: 'head-nas-7f3', address: '127.0.0.3', role: 'server', checks: ping },
          { name: 'office-pbx', address: '127.0.0.5', role: 'other', checks: ping },
        ],
        status: { private: ['head-nas-7f3'], phones: ['office-pbx'] },
        maintenance: [{ name: 'Switch firmware update', weekly: { days: ['sat'], time: '22:00-23:00' } }],
      }),
    );
    writeFileSync(
      join(dir.path, 'sites', `${SCHOOL_B}.yaml`),
      stringify({ id: SCHOOL_B, name: 'South Academy', devices: [{ name: 'south-secret-server', address: '127.0.0.4', role: 'server', checks: ping }] }),
    );
    writeFileSync(join(dir.path, 'sites', `${SCHOOL_C}.yaml`), stringify({ id: SCHOOL_C, name: 'West Infants', devices: [{ name: 'west-router', address: '127.0.0.6', role: 'internet', checks: ping }] }));
    const { password } = await addAgent(join(dir.path, 'agents.yaml'), { id: `${SCHOOL_A}-1`, site: SCHOOL_A });
    writeFileSync(
      join(dir.path, 'agent.yaml'),
      stringify({ agent: `${SCHOOL_A}-1`, site: SCHOOL_A, broker: { url: `mqtt://127.0.0.1:${brokerPort}`, password }, dataDir: 'agent-data', batch: { maxDelayMs: 200 } }),
    );
    const loaded = loadCollectorConfig(config);
    collector = await startCollector(loaded, createLogger('collector', 'warn'));
    const home = dir;
    agent = await spawnService({ name: 'agent', command: process.execPath, args: [AGENT_BIN, 'run', '-c', join(home.path, 'agent.yaml')], dir: home.path });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const rig: WebRig = {
      dir: home,
      collector,
      config: loaded,
      base,
      printerSim,
      browser,
      cli: (args) =>
        new Promise((resolve, reject) =>
          execFile(process.execPath, [COLLECTOR_BIN, ...args, '-c', config], { timeout: 120_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout))),
        ),
      stop: cleanup,
    };
    return rig;
  } catch (err) {
    await cleanup();
    throw err;
  }
}
