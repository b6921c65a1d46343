import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { stringify } from 'yaml';
import { freeTcpPort, spawnService, waitFor, type ServiceProcess } from '../../test/harness/index.ts';

const COLLECTOR_BIN = fileURLToPath(new URL('../../bin/hallmonitor-collector.js', import.meta.url));

export interface FleetCollector {
  service: ServiceProcess;
  url: string;
  alertsDb: string;
}

/**
 * The real collector CLI (broker, write-ahead log, alert engine with the default rules, report scheduler)
 * with the defaults a provider gets, except the pending times, which follow the bench's poll interval so a
 * compressed run keeps their meaning: site offline after 2 polls, a switch down after 1, heartbeat 3 polls
 * (at 60 s polls these are the built-in defaults).
 */
export async function startFleetCollector(
  dir: string,
  influxUrl: string,
  database: string,
  pollSeconds: number,
  nodeArgs: readonly string[] = [],
  /** Added to the bench's environment (the collector unit's NODE_OPTIONS and MALLOC_ settings, `--collector-unit-env`). */
  env: Readonly<Record<string, string>> = {},
  /** Top-level config sections added to the bench's own (e.g. rollups). */
  extraConfig: Readonly<Record<string, unknown>> = {},
): Promise<FleetCollector> {
  const port = await freeTcpPort();
  const config = join(dir, 'collector.yaml');
  const s = (n: number) => `${Math.round(n * 1000)}ms`;
  writeFileSync(
    config,
    stringify({
      broker: { host: '127.0.0.1', port },
      influx: { url: influxUrl, database },
      sitesDir: 'sites',
      agentsFile: 'agents.yaml',
      dataDir: 'data',
      logLevel: 'info',
      alerts: {
        evaluateEvery: s(Math.min(5, pollSeconds / 4)),
        heartbeatTimeout: s(3 * pollSeconds),
        rules: { 'site-offline': { for: s(2 * pollSeconds) }, 'device-down': { for: s(pollSeconds) } },
        roles: { switch: { 'device-down': { for: s(pollSeconds) } } },
      },
      ...extraConfig,
    }),
  );
  const service = await spawnService({ name: 'collector-fleet', command: process.execPath, args: [...nodeArgs, COLLECTOR_BIN, 'run', '-c', config], dir, env: { ...process.env, ...env } });
  await waitFor(() => /"InfluxDB ready"/.test(service.logTail(400)) && /"collector listening"/.test(service.logTail(400)), {
    timeoutMs: 120_000,
    what: 'the collector to listen and reach InfluxDB',
    intervalMs: 100,
    service,
  });
  return { service, url: `mqtt://127.0.0.1:${port}`, alertsDb: join(dir, 'data', 'alerts.db') };
}

export interface AlertRow {
  id: string;
  site: string;
  rule: string;
  device: string | null;
  state: string;
  since: number;
  /** When it went from pending to firing; undefined: it never fired (cleared while pending). */
  firingAt?: number;
  /** Why it pages no one (site offline, a parent down, maintenance...), if so. */
  muted?: string;
}

/** The collector's alert store, read as it stands (its own file, opened read-only beside the collector). */
export function readAlerts(file: string): AlertRow[] {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare<[], Omit<AlertRow, 'firingAt' | 'muted'> & { data: string }>('SELECT id, site, rule, device, state, since, data FROM alerts').all();
      return rows.map(({ data, ...row }) => {
        const d = JSON.parse(data) as { firingAt?: number; muted?: string };
        return { ...row, ...(d.firingAt !== undefined ? { firingAt: d.firingAt } : {}), ...(d.muted !== undefined ? { muted: d.muted } : {}) };
      });
    } finally {
      db.close();
    }
  } catch {
    return [];
  }
}

/** Resident memory now, MiB; 0 once the process is gone. */
export function rssMiB(pid: number): number {
  try {
    return Math.round(Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}
