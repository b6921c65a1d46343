import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { stringify } from 'yaml';
import { addAgent } from '../../collector/agents/store.ts';
import { loadCollectorConfig } from '../../collector/config/load.ts';
import { startCollector, type RunningCollector } from '../../collector/run.ts';
import {
  agentStatusSchema,
  createLogger,
  decodeMessage,
  samplesBatchSchema,
  type AgentStatus,
  type Sample,
} from '../../contract/index.ts';
import { freeTcpPort, makeTempDir, spawnService, startInflux, type InfluxServer, type ServiceProcess, type TempDir } from '../harness/index.ts';

const AGENT_BIN = fileURLToPath(new URL('../../bin/hallmonitor-agent.js', import.meta.url));

/** `n` devices on loopback addresses (they all answer), each pinged once a second with one probe. */
export function loopbackDevices(n: number) {
  const ping = { intervalSeconds: 1, probes: 1, probeIntervalSeconds: 0.2, timeoutSeconds: 1 };
  return Array.from({ length: n }, (_, i) => ({ name: `host-${i}`, address: `127.0.3.${i + 1}`, role: 'server', checks: { ping } }));
}

/** What the agent had in its spool file: batches by seq (their exact bytes) and the persisted counters. */
export interface SpoolContents {
  batches: Map<number, Buffer>;
  nextSeq: number;
  droppedBatches: number;
  droppedSamples: number;
  integrity: string;
}

/** Reads the agent's spool.db beside the running (or killed) agent; WAL lets a reader in. */
export function readSpool(file: string): SpoolContents {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const meta = new Map(db.prepare<[], { key: string; value: number }>('SELECT key, value FROM meta').all().map((r) => [r.key, r.value]));
    const rows = db.prepare<[], { seq: number; payload: Buffer }>('SELECT seq, payload FROM batches ORDER BY seq').all();
    return {
      batches: new Map(rows.map((r) => [r.seq, r.payload])),
      nextSeq: meta.get('next_seq') ?? 0,
      droppedBatches: meta.get('dropped_batches') ?? 0,
      droppedSamples: meta.get('dropped_samples') ?? 0,
      integrity: String(db.pragma('integrity_check', { simple: true })),
    };
  } finally {
    db.close();
  }
}

export function samplesOf(payload: Buffer): Sample[] {
  const decoded = decodeMessage(samplesBatchSchema, payload);
  if (!decoded.ok) throw new Error(`spooled batch does not decode: ${decoded.reason}`);
  return decoded.value.samples;
}

export const seqOf = (payload: Buffer): number => JSON.parse(payload.toString('utf8')).seq as number;

/** What reached the broker from agents: each samples batch by seq (first copy), in order of first arrival. */
export interface Received {
  batches: Map<number, Buffer>;
  order: number[];
  copies: number;
  statuses: { status: AgentStatus; retain: boolean }[];
}

export interface FaultRig {
  readonly dir: TempDir;
  readonly influx: InfluxServer;
  readonly site: string;
  readonly agent: string;
  readonly db: string;
  readonly spoolFile: string;
  writeAgentConfig(extra: object): void;
  spawnAgent(): Promise<ServiceProcess>;
  /** The collector (embedded broker) on the port the agent has been trying all along. */
  startCollector(): Promise<{ collector: RunningCollector; received: Received }>;
  /** Every stored row of the site, keyed like sampleKey, with its fields. */
  stored(measurements: readonly string[]): Promise<Map<string, Record<string, unknown>>>;
  remove(): Promise<void>;
}

/** What a loopback-polling agent sends: its devices' ping results, its health and its own host's figures. */
export const AGENT_MEASUREMENTS = ['ping', 'agent_health', 'agent_host', 'agent_host_disk', 'agent_host_interface'] as const;
/** Device or agent, plus the interface or mount for the per-interface and per-disk host samples. */
export const sampleKey = (measurement: string, who: string, part: string, time: number) => `${measurement}/${who}/${part}@${time}`;
export const keyOf = (s: Sample) => sampleKey(s.measurement, s.tags.device ?? s.tags.agent ?? '', s.tags.interface ?? s.tags.mount ?? '', s.time);

export async function faultRig(name: string): Promise<FaultRig> {
  const influx = await startInflux();
  const dir = makeTempDir(`hm-${name}-`);
  const site = `${name}-school`;
  const agent = `${site}-1`;
  const db = name.replace(/-/g, '_');
  const port = await freeTcpPort();
  mkdirSync(join(dir.path, 'sites'));
  writeFileSync(join(dir.path, 'sites', `${site}.yaml`), stringify({ id: site, name: site }));
  const collectorYaml = join(dir.path, 'collector.yaml');
  writeFileSync(collectorYaml, stringify({ broker: { host: '127.0.0.1', port }, influx: { url: influx.url, database: db, flushIntervalMs: 100 } }));
  const { password } = await addAgent(join(dir.path, 'agents.yaml'), { id: agent, site });
  const agentYaml = join(dir.path, 'agent.yaml');
  let collector: RunningCollector | undefined;
  const agents: ServiceProcess[] = [];

  return {
    dir,
    influx,
    site,
    agent,
    db,
    spoolFile: join(dir.path, 'agent-data', 'spool.db'),
    writeAgentConfig(extra) {
      const base = { agent, site, broker: { url: `mqtt://127.0.0.1:${port}`, password }, dataDir: 'agent-data', logLevel: 'info' };
      writeFileSync(agentYaml, stringify({ ...base, ...extra }));
    },
    async spawnAgent() {
      const proc = await spawnService({ name: `agent-${agents.length}`, command: process.execPath, args: [AGENT_BIN, 'run', '-c', agentYaml], dir: dir.path });
      agents.push(proc);
      return proc;
    },
    async startCollector() {
      const received: Received = { batches: new Map(), order: [], copies: 0, statuses: [] };
      collector = await startCollector(loadCollectorConfig(collectorYaml), createLogger('collector', 'warn'));
      collector.broker.aedes.on('publish', (packet, client) => {
        if (!client) return;
        const payload = packet.payload as Buffer;
        if (packet.topic.endsWith('/samples')) {
          received.copies++;
          const seq = seqOf(payload);
          if (!received.batches.has(seq)) received.order.push(seq);
          if (!received.batches.has(seq)) received.batches.set(seq, payload);
        } else if (packet.topic.includes('/status/')) {
          const decoded = decodeMessage(agentStatusSchema, payload);
          if (decoded.ok) received.statuses.push({ status: decoded.value, retain: packet.retain });
        }
      });
      await collector.storageReady;
      return { collector, received };
    },
    async stored(measurements) {
      const rows = new Map<string, Record<string, unknown>>();
      for (const m of measurements) {
        const [result] = await influx.query(`SELECT * FROM "${m}" WHERE site='${site}'`, db);
        for (const series of result?.series ?? []) {
          for (const values of series.values) {
            const row = Object.fromEntries(series.columns.map((c, i) => [c, values[i]]));
            rows.set(sampleKey(m, String(row.device ?? row.agent), String(row.interface ?? row.mount ?? ''), Date.parse(String(row.time))), row);
          }
        }
      }
      return rows;
    },
    async remove() {
      await Promise.allSettled(agents.map((a) => a.stop()));
      await collector?.stop();
      await influx.stop();
      dir.remove();
    },
  };
}
