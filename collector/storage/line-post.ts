import http from 'node:http';
import https from 'node:https';
import type { InfluxConnection } from './influx-client.ts';

/** POSTs line-protocol bodies to InfluxDB 1.x `/write`; a failure throws an error httpStatus() can read. */
export interface LinePoster {
  /** Resolves on 2xx; rejects on any other answer, a network error, the request timeout, or `signal`. */
  post(lines: readonly string[], signal?: AbortSignal): Promise<void>;
  /** Closes the kept-alive connections. */
  close(): void;
}

/** The shape of the `influx` library's RequestError, so that one classifier reads both. */
class WriteRequestError extends Error {
  constructor(
    readonly res: { statusCode: number },
    body: string,
  ) {
    super(`A ${res.statusCode} error occurred: ${body}`);
  }
}

/**
 * One keep-alive agent with a socket per write in flight. Credentials go in the Authorization header,
 * never in the URL, so they cannot reach a log line through an error message.
 */
export function createLinePoster(connection: InfluxConnection & { sockets: number }): LinePoster {
  const url = new URL(connection.url);
  const secure = url.protocol === 'https:';
  const username = connection.username ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const password = connection.password ?? (url.password ? decodeURIComponent(url.password) : undefined);
  const authorization =
    username === undefined && password === undefined ? undefined : `Basic ${Buffer.from(`${username ?? ''}:${password ?? ''}`).toString('base64')}`;
  const base = url.pathname.replace(/\/$/, '');
  const path = `${base}/write?${new URLSearchParams({ db: connection.database, precision: 'ms' })}`;
  const agent = new (secure ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: connection.sockets });
  const timeoutMs = connection.requestTimeoutMs ?? 30_000;

  return {
    post(lines, signal) {
      return new Promise<void>((resolve, reject) => {
        let length = lines.length - 1;
        for (const text of lines) length += Buffer.byteLength(text);
        const headers: http.OutgoingHttpHeaders = { 'content-type': 'text/plain; charset=utf-8', 'content-length': length };
        if (authorization !== undefined) headers['authorization'] = authorization;
        const req = (secure ? https : http).request(
          { protocol: url.protocol, hostname: url.hostname, port: url.port, path, method: 'POST', agent, headers, ...(signal ? { signal } : {}) },
          (res) => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              res.resume();
              res.on('end', resolve);
              return;
            }
            const body: Buffer[] = [];
            res.on('data', (c: Buffer) => body.push(c));
            res.on('end', () => reject(new WriteRequestError({ statusCode: status }, Buffer.concat(body).toString('utf8').slice(0, 1_000))));
          },
        );
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from InfluxDB within ${timeoutMs} ms`)));
        req.on('error', reject);
        // Separately: "\n" + text would copy the whole text into a new string first.
        for (let i = 0; i < lines.length; i++) {
          if (i > 0) req.write('\n');
          req.write(lines[i]!);
        }
        req.end();
      });
    },
    close() {
      agent.destroy();
    },
  };
}
