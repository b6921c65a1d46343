import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { freeTcpPort, spawnService, waitFor, type ServiceProcess } from '../../test/harness/index.ts';

const COLLECTOR_BIN = fileURLToPath(new URL('../../bin/hallmonitor-collector.js', import.meta.url));

export interface CollectorProcessOptions {
  /** Where collector.yaml and the log go; must already hold `agents.yaml`. */
  dir: string;
  influxUrl: string;
  database: string;
  batchSize: number;
  flushIntervalMs: number;
  maxWritesInFlight: number;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir', dir]. */
  nodeArgs?: readonly string[];
}

export interface CollectorProcess {
  service: ServiceProcess;
  brokerUrl: string;
}

/**
 * The real collector CLI as its own process, as it runs in production, so it does not share an event
 * loop (or a CPU profile) with the load generator. Ready once its broker listens and InfluxDB answered.
 */
export async function startCollectorProcess(o: CollectorProcessOptions): Promise<CollectorProcess> {
  const port = await freeTcpPort();
  const config = join(o.dir, `collector-${o.database}.yaml`);
  mkdirSync(join(o.dir, 'sites'), { recursive: true });
  writeFileSync(
    config,
    stringify({
      broker: { host: '127.0.0.1', port },
      influx: {
        url: o.influxUrl,
        database: o.database,
        batchSize: o.batchSize,
        flushIntervalMs: o.flushIntervalMs,
        maxWritesInFlight: o.maxWritesInFlight,
      },
      sitesDir: 'sites',
      agentsFile: 'agents.yaml',
      // A log of its own per run: the runs send the same (agent, seq)s, which a shared log would dedupe.
      dataDir: `data-${o.database}`,
      logLevel: 'info',
    }),
  );
  const service = await spawnService({
    name: `collector-${o.database}`,
    command: process.execPath,
    args: [...(o.nodeArgs ?? []), COLLECTOR_BIN, 'run', '-c', config],
    dir: o.dir,
  });
  try {
    await waitFor(() => /"InfluxDB ready"/.test(service.logTail(200)) && /"collector listening"/.test(service.logTail(200)), {
      timeoutMs: 30_000,
      what: 'the collector to listen and reach InfluxDB',
      intervalMs: 50,
      service,
    });
  } catch (err) {
    await service.stop(1_000);
    throw err;
  }
  return { service, brokerUrl: `mqtt://127.0.0.1:${port}` };
}
