import http from 'node:http';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../contract/index.ts';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startInflux, type InfluxServer } from '../../test/harness/index.ts';

/** A pino logger whose records are kept for the test to look at. */
export function capturingLogger(): { log: Logger; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) records.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger('test', 'debug', stream), records };
}

/**
 * An HTTP pass-through to a real influxd on a port of its own, which can be not listening yet (as if
 * InfluxDB had not started) and can answer the next writes with a 5xx (which influxd itself will not
 * do on demand).
 */
export interface InfluxProxy {
  readonly url: string;
  /** /write requests that reached the proxy. */
  readonly writeRequests: number;
  listen(): Promise<void>;
  close(): Promise<void>;
  failNextWrites(count: number, status?: number): void;
}

export function createInfluxProxy(targetUrl: string, port: number): InfluxProxy {
  let failing = 0;
  let failStatus = 503;
  let writeRequests = 0;
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/write')) {
      writeRequests += 1;
      if (failing > 0) {
        failing -= 1;
        req.resume();
        req.on('end', () => res.writeHead(failStatus, { 'content-type': 'application/json' }).end('{"error":"injected"}'));
        return;
      }
    }
    const upstream = http.request(new URL(req.url ?? '/', targetUrl), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    get writeRequests() {
      return writeRequests;
    },
    listen: () => new Promise((resolve) => server.listen(port, '127.0.0.1', resolve)),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    failNextWrites(count, status = 503) {
      failing = count;
      failStatus = status;
    },
  };
}

/**
 * One real influxd for the test file (started before its tests, stopped after), and cleanups that run after
 * each test, newest first. `influx` forwards to the server once it has started.
 */
export function influxForThisFile(): { influx: InfluxServer; cleanups: (() => Promise<unknown>)[] } {
  let server: InfluxServer | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    server = await startInflux();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await server?.stop();
  });
  const influx = new Proxy({} as InfluxServer, {
    get(_target, key) {
      if (server === undefined) throw new Error('influxd is not started yet (use it inside a test or hook)');
      const value = (server as unknown as Record<PropertyKey, unknown>)[key];
      return typeof value === 'function' ? value.bind(server) : value;
    },
  });
  return { influx, cleanups };
}
