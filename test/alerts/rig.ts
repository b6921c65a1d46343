import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { createLogger } from '../../contract/index.ts';
import { addAgent } from '../../collector/agents/store.ts';
import { loadCollectorConfig } from '../../collector/config/load.ts';
import { startCollector, type CollectorExtras, type RunningCollector } from '../../collector/run.ts';
import {
  createDeadHost,
  freeTcpPort,
  makeTempDir,
  spawnService,
  startInflux,
  type DeadHost,
  type InfluxServer,
  type ServiceProcess,
  type TempDir,
} from '../harness/index.ts';

const AGENT_BIN = fileURLToPath(new URL('../../bin/hallmonitor-agent.js', import.meta.url));

export const SITE = 'alert-school';
export const DB = 'hallmonitor_alerts';

export interface AlertRigOptions {
  /** The site's devices; `dead` is an address that never answers (any address of dead.range is one). */
  devices(dead: DeadHost): Record<string, unknown>[];
  /** collector.yaml `alerts:` */
  alerts?: Record<string, unknown>;
  /** More of collector.yaml (notify:, smtp:). */
  collector?: Record<string, unknown>;
  /** More of the site file (maintenance:, alerts:, contacts:). */
  site?: Record<string, unknown>;
  extras?: () => CollectorExtras;
  /** More of agent.yaml (traps:). */
  agent?: Record<string, unknown>;
  /** The port the agent dials instead of the broker's (a relay the test can cut), given the broker's. */
  agentBrokerPort?: (brokerPort: number) => Promise<number>;
}

export interface AlertRig {
  readonly dir: TempDir;
  readonly influx: InfluxServer;
  readonly dead: DeadHost;
  collector: RunningCollector;
  agent: ServiceProcess | undefined;
  startAgent(): Promise<void>;
  /** SIGTERM: the agent says goodbye (offline status) before it goes. */
  stopAgent(): Promise<void>;
  restartCollector(): Promise<void>;
  select(q: string): Promise<unknown[][]>;
  stop(): Promise<void>;
}

/**
 * One school for the alert tests: InfluxDB, the collector in this process (so a test can hand it a
 * dispatcher and look at its engine) and the real agent as a process pinging loopback addresses and
 * addresses routed into a namespace that drops everything.
 */
export async function startAlertRig(o: AlertRigOptions): Promise<AlertRig> {
  let influx: InfluxServer | undefined;
  let dead: DeadHost | undefined;
  let dir: TempDir | undefined;
  let collector: RunningCollector | undefined;
  let agent: ServiceProcess | undefined;
  const cleanup = async () => {
    await agent?.stop();
    await collector?.stop();
    await Promise.allSettled([influx?.stop(), dead?.remove()]);
    await dir?.remove();
  };
  try {
    [influx, dead] = await Promise.all([startInflux(), createDeadHost()]);
    dir = makeTempDir('hm-alerts-');
    mkdirSync(join(dir.path, 'sites'));
    const brokerPort = await freeTcpPort();
    const config = join(dir.path, 'collector.yaml');
    writeFileSync(
      config,
      stringify({
        broker: { host: '127.0.0.1', port: brokerPort },
        influx: { url: influx.url, database: DB, flushIntervalMs: 200 },
        alerts: { evaluateEvery: '500ms', heartbeatTimeout: '15s', ...o.alerts },
        // An email channel; the SMTP server is the test's own (or none, when the test brings a dispatcher).
        smtp: { host: '127.0.0.1', port: 2525, from: 'Hallmonitor <noc@provider.example>' },
        notify: { channels: [{ id: 'email', type: 'email' }] },
        ...o.collector,
      }),
    );
    writeFileSync(join(dir.path, 'sites', `${SITE}.yaml`), stringify({ id: SITE, name: 'Alert School', timezone: 'Europe/London', devices: o.devices(dead), ...o.site }));
    const { password } = await addAgent(join(dir.path, 'agents.yaml'), { id: `${SITE}-1`, site: SITE });
    writeFileSync(
      join(dir.path, 'agent.yaml'),
      stringify({ agent: `${SITE}-1`, site: SITE, broker: { url: `mqtt://127.0.0.1:${(await o.agentBrokerPort?.(brokerPort)) ?? brokerPort}`, password }, dataDir: 'agent-data', batch: { maxDelayMs: 200 }, ...o.agent }),
    );
    const log = createLogger('collector', 'warn');
    const start = () => startCollector(loadCollectorConfig(config), log, Date.now, o.extras?.() ?? {});
    collector = await start();
    const home = dir;
    const server = influx;
    const rig: AlertRig = {
      dir: home,
      influx: server,
      dead,
      collector,
      agent: undefined,
      async startAgent() {
        agent = rig.agent = await spawnService({ name: 'agent', command: process.execPath, args: [AGENT_BIN, 'run', '-c', join(home.path, 'agent.yaml')], dir: home.path });
      },
      async stopAgent() {
        await agent?.stop();
        agent = rig.agent = undefined;
      },
      async restartCollector() {
        await collector?.stop();
        collector = undefined;
        collector = rig.collector = await start();
      },
      async select(q) {
        const [result] = await server.query(q, DB);
        return result?.series?.flatMap((s) => s.values) ?? [];
      },
      stop: cleanup,
    };
    await rig.startAgent();
    return rig;
  } catch (err) {
    await cleanup();
    throw err;
  }
}
