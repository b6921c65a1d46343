import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { stringify } from 'yaml';
import { addAgent } from '../../collector/agents/store.ts';
import { WIRE_VERSION, agentClientId, encodeMessage, samplesTopic, type SamplesBatch } from '../../contract/index.ts';
import { freeTcpPort, makeTempDir, spawnService, startInflux, waitFor, type InfluxServer, type ServiceProcess, type TempDir } from '../harness/index.ts';

const COLLECTOR_BIN = fileURLToPath(new URL('../../bin/hallmonitor-collector.js', import.meta.url));
export const SAMPLES_PER_MESSAGE = 10;

/**
 * A stand-in agent with the real agent's promise: every batch stays in its outbox until the broker's PUBACK,
 * at most `window` unacknowledged on the wire; after a reconnect everything unacknowledged goes again.
 * Each batch holds SAMPLES_PER_MESSAGE points of measurement `load`, one per device, at time base + seq.
 */
export class LoadAgent {
  readonly outbox = new Map<number, Buffer>();
  private readonly sending = new Set<number>();
  private client: MqttClient | undefined;
  nextSeq = 0;
  publishes = 0;

  constructor(
    readonly id: string,
    readonly site: string,
    private readonly password: string,
    private readonly base: number,
    private readonly window = 20,
  ) {}

  connect(url: string): void {
    this.client = mqtt.connect(url, {
      clientId: agentClientId(this.id),
      username: this.id,
      password: this.password,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 200,
      connectTimeout: 5_000,
    });
    this.client.on('connect', () => {
      this.sending.clear();
      this.pump();
    });
    this.client.on('close', () => this.sending.clear());
    this.client.on('error', () => undefined);
  }

  /** Makes the next batch (kept until acknowledged) and sends what the window allows. */
  produce(): void {
    const seq = this.nextSeq++;
    const batch: SamplesBatch = {
      v: WIRE_VERSION,
      agent: this.id,
      site: this.site,
      seq,
      sentAt: this.base + seq,
      samples: Array.from({ length: SAMPLES_PER_MESSAGE }, (_, i) => ({
        measurement: 'load',
        tags: { device: `${this.id}-d${i}` },
        fields: { v: seq },
        time: this.base + seq,
      })),
    };
    this.outbox.set(seq, encodeMessage(batch));
    this.pump();
  }

  private pump(): void {
    const client = this.client;
    if (!client?.connected) return;
    for (const [seq, payload] of this.outbox) {
      if (this.sending.size >= this.window) return;
      if (this.sending.has(seq)) continue;
      this.sending.add(seq);
      this.publishes++;
      client.publish(samplesTopic(this.site), payload, { qos: 1 }, (err) => {
        if (!err) this.outbox.delete(seq);
        this.sending.delete(seq);
        this.pump();
      });
    }
  }

  async close(): Promise<void> {
    await this.client?.endAsync(true);
  }
}

export interface CollectorFaultRig {
  readonly dir: TempDir;
  readonly influx: InfluxServer;
  readonly agents: LoadAgent[];
  readonly db: string;
  readonly walFile: string;
  /** Starts the collector CLI as a child process; resolves once it listens and InfluxDB answered. */
  startCollector(waitForInflux?: boolean): Promise<ServiceProcess>;
  /** Every agent makes one batch each `everyMs` until the returned function is called. */
  produce(everyMs: number): () => void;
  /** Resolves once every batch made is acknowledged. */
  drained(timeoutMs: number): Promise<void>;
  storedCount(): Promise<number>;
  remove(): Promise<void>;
}

export interface WalContents {
  entries: number;
  bytes: number;
  sequences: Map<string, { counts: { missing: number; duplicates: number; restarts: number; unknown: number }; max: number }>;
}

/** Reads the collector's wal.db beside the running (or killed) collector; WAL mode lets a reader in. */
export function readWal(file: string): WalContents {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const sums = db.prepare<[], { entries: number; bytes: number | null }>('SELECT count(*) AS entries, sum(bytes) AS bytes FROM entries').get()!;
    const rows = db.prepare<[], { agent: string; record: string }>('SELECT agent, record FROM sequences').all();
    return { entries: sums.entries, bytes: sums.bytes ?? 0, sequences: new Map(rows.map((r) => [r.agent, JSON.parse(r.record)])) };
  } finally {
    db.close();
  }
}

export async function collectorFaultRig(name: string, agentCount: number, config: { wal?: object; influx?: object } = {}): Promise<CollectorFaultRig> {
  const influx = await startInflux();
  const dir = makeTempDir(`hm-${name}-`);
  const site = `${name}-school`;
  const db = name.replace(/-/g, '_');
  const port = await freeTcpPort();
  mkdirSync(join(dir.path, 'sites'));
  writeFileSync(join(dir.path, 'sites', `${site}.yaml`), stringify({ id: site, name: site }));
  const yaml = join(dir.path, 'collector.yaml');
  const influxConfig = { url: influx.url, database: db, flushIntervalMs: 1_000, ...config.influx };
  writeFileSync(yaml, stringify({ broker: { host: '127.0.0.1', port }, influx: influxConfig, dataDir: 'data', logLevel: 'info', ...(config.wal ? { wal: config.wal } : {}) }));
  // Whole seconds an hour ago: inside the raw retention, and no two runs of the test share a time.
  const base = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
  const agents: LoadAgent[] = [];
  for (let i = 1; i <= agentCount; i++) {
    const id = `${site}-${i}`;
    const { password } = await addAgent(join(dir.path, 'agents.yaml'), { id, site });
    agents.push(new LoadAgent(id, site, password, base));
  }
  const collectors: ServiceProcess[] = [];
  const timers = new Set<NodeJS.Timeout>();

  return {
    dir,
    influx,
    agents,
    db,
    walFile: join(dir.path, 'data', 'wal.db'),
    async startCollector(waitForInflux = true) {
      const service = await spawnService({ name: `collector-${collectors.length}`, command: process.execPath, args: [COLLECTOR_BIN, 'run', '-c', yaml], dir: dir.path });
      collectors.push(service);
      await waitFor(() => /"collector listening"/.test(service.logTail(400)) && (!waitForInflux || /"InfluxDB ready"/.test(service.logTail(400))), {
        timeoutMs: 30_000,
        intervalMs: 50,
        what: 'the collector to listen',
        service,
      });
      if (agents.every((a) => a.publishes === 0)) for (const a of agents) a.connect(`mqtt://127.0.0.1:${port}`);
      return service;
    },
    produce(everyMs) {
      const timer = setInterval(() => agents.forEach((a) => a.produce()), everyMs);
      timers.add(timer);
      return () => {
        clearInterval(timer);
        timers.delete(timer);
      };
    },
    async drained(timeoutMs) {
      await waitFor(() => agents.every((a) => a.outbox.size === 0), { timeoutMs, intervalMs: 100, what: 'every batch acknowledged' });
    },
    async storedCount() {
      const [result] = await influx.query('SELECT count(v) FROM load', db);
      return Number(result?.series?.[0]?.values[0]?.[1] ?? 0);
    },
    async remove() {
      for (const t of timers) clearInterval(t);
      await Promise.allSettled(agents.map((a) => a.close()));
      await Promise.allSettled(collectors.map((c) => c.stop()));
      await influx.stop();
      await dir.remove();
    },
  };
}
