import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeTcpPort } from './ports.ts';
import { startService, type ServiceProcess } from './process.ts';
import { makeTempDir } from './temp.ts';

export interface InfluxOptions {
  /** Run continuous queries; off by default (the collector makes the rollups; only upgrade tests make CQs). */
  continuousQueries?: boolean;
  /**
   * How often influxd checks whether a continuous query is due (its default is 1 s). A CQ still runs only
   * when its own schedule says so; this bounds how late after that it starts.
   */
  cqRunIntervalSeconds?: number;
  readyTimeoutMs?: number;
  /** influxd's whole config instead of the default one (e.g. deploy/influxdb's recommended settings). */
  renderConfig?: (dir: string, rpcPort: number, httpPort: number) => string;
}

/** One statement's result as InfluxDB 1.x returns it from /query. */
export interface InfluxResult {
  statement_id: number;
  series?: { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[];
  error?: string;
  messages?: { level: string; text: string }[];
}

export interface InfluxServer {
  readonly url: string;
  readonly httpPort: number;
  readonly dir: string;
  /** Changes on restart. */
  readonly pid: number;
  /** Runs InfluxQL; throws on an HTTP error or a failed statement. Times come back as RFC 3339. */
  /** `timeoutMs` (default 30 s): a bench counting a fleet's points on a busy influxd needs longer. */
  query(q: string, db?: string, options?: { timeoutMs?: number }): Promise<InfluxResult[]>;
  /** Writes line protocol to /write; throws unless InfluxDB answers 204. */
  write(db: string, lines: string | readonly string[], precision?: 'ns' | 'u' | 'ms' | 's'): Promise<void>;
  /** Stops influxd and deletes its dir. */
  stop(): Promise<void>;
  /** Stops and starts influxd on the same port and data dir (data survives), e.g. for outage tests. */
  restart(): Promise<void>;
}

/** influxd's config with everything under `dir` and both ports on loopback (RIG.md); the demo uses it too. */
export function influxdConfig(dir: string, rpcPort: number, httpPort: number, continuousQueries: boolean, cqRunIntervalSeconds?: number): string {
  const runInterval = cqRunIntervalSeconds === undefined ? '' : `\n  run-interval = "${cqRunIntervalSeconds}s"`;
  return `reporting-enabled = false
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${join(dir, 'meta')}"
[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
[logging]
  level = "warn"
[continuous_queries]
  enabled = ${continuousQueries}${runInterval}
`;
}

async function pingAnswers204(url: string): Promise<boolean> {
  const response = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1_000) });
  await response.arrayBuffer();
  return response.status === 204;
}

// InfluxDB 1.x refuses statements that change data over GET; only SELECT and SHOW may use it.
const READ_ONLY = /^\s*(select|show)\b/i;

/** influxd (Debian influxdb 1.6) with meta/data/wal in a temp dir, HTTP and RPC on free loopback ports. */
export async function startInflux(options: InfluxOptions = {}): Promise<InfluxServer> {
  const temp = makeTempDir('influxd');
  const dir = temp.path;
  let service: ServiceProcess | undefined;
  try {
    const [rpcPort, httpPort] = [await freeTcpPort(), await freeTcpPort()];
    const url = `http://127.0.0.1:${httpPort}`;
    const configPath = join(dir, 'influxdb.conf');
    writeFileSync(configPath, options.renderConfig?.(dir, rpcPort, httpPort) ?? influxdConfig(dir, rpcPort, httpPort, options.continuousQueries ?? false, options.cqRunIntervalSeconds));

    const start = () =>
      startService({
        name: 'influxd',
        command: 'influxd',
        args: ['run', '-config', configPath],
        dir,
        ready: () => pingAnswers204(url),
        readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
        readyWhat: `influxd at ${url}/ping to answer 204`,
      });
    service = await start();

    const running = (): ServiceProcess => {
      if (!service) throw new Error(`influxd at ${url} is not running`);
      return service;
    };

    return {
      url,
      httpPort,
      dir,
      get pid() {
        return running().pid;
      },
      async query(q, db, options) {
        const params = new URLSearchParams({ q });
        if (db !== undefined) params.set('db', db);
        const readOnly = READ_ONLY.test(q);
        const response = await fetch(readOnly ? `${url}/query?${params}` : `${url}/query`, {
          method: readOnly ? 'GET' : 'POST',
          ...(readOnly ? {} : { body: params }),
          signal: AbortSignal.timeout(options?.timeoutMs ?? 30_000),
        });
        const text = await response.text();
        let body: { results?: InfluxResult[]; error?: string };
        try {
          body = JSON.parse(text) as typeof body;
        } catch {
          throw new Error(`influxd query ${JSON.stringify(q)}: HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`);
        }
        if (!response.ok || body.error !== undefined) {
          throw new Error(`influxd query ${JSON.stringify(q)}: HTTP ${response.status}: ${body.error ?? text}`);
        }
        const results = body.results ?? [];
        const failed = results.find((r) => r.error !== undefined);
        if (failed) throw new Error(`influxd query ${JSON.stringify(q)}: ${failed.error}`);
        return results;
      },
      async write(db, lines, precision = 'ns') {
        const body = typeof lines === 'string' ? lines : lines.join('\n');
        const params = new URLSearchParams({ db, precision });
        const response = await fetch(`${url}/write?${params}`, {
          method: 'POST',
          body,
          signal: AbortSignal.timeout(30_000),
        });
        const text = await response.text();
        if (response.status !== 204) throw new Error(`influxd write to ${db}: HTTP ${response.status}: ${text}`);
      },
      async stop() {
        await service?.stop();
        service = undefined;
        await temp.remove();
      },
      async restart() {
        await running().stop();
        service = undefined;
        service = await start();
      },
    };
  } catch (error) {
    await service?.stop();
    await temp.remove();
    throw error;
  }
}
