import http from 'node:http';
import { waitFor } from '../../../test/harness/index.ts';

export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real HTTP server on loopback standing in for Teams, Slack or a webhook receiver, for tests. */
export interface HttpReceiver {
  readonly port: number;
  /** Base URL, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  /** Requests answered with 2xx, in order. */
  readonly accepted: ReceivedRequest[];
  /** Every request that arrived, whatever the answer. */
  readonly requests: ReceivedRequest[];
  /** Answer the next `count` requests with `status` (e.g. 500, 429, 400). */
  failNext(count: number, status: number): void;
  failAll(status: number): void;
  /** Accept the next requests but never answer them (the sender's timeout must fire). */
  hang(): void;
  accept(): void;
  waitForAccepted(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startHttpReceiver(options: { port: number; host?: string; okStatus?: number }): Promise<HttpReceiver> {
  const host = options.host ?? '127.0.0.1';
  const accepted: ReceivedRequest[] = [];
  const requests: ReceivedRequest[] = [];
  let failing = { left: 0, status: 500 };
  let hanging = false;
  let server: http.Server | undefined;

  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(r);
      if (hanging) return;
      if (failing.left > 0) {
        failing.left -= 1;
        res.writeHead(failing.status, { 'content-type': 'text/plain', ...(failing.status === 429 ? { 'retry-after': '1' } : {}) }).end('refused by test');
        return;
      }
      accepted.push(r);
      res.writeHead(options.okStatus ?? 200, { 'content-type': 'text/plain' }).end('ok');
    });
  };

  const receiver: HttpReceiver = {
    port: options.port,
    url: `http://${host}:${options.port}`,
    accepted,
    requests,
    failNext(count, status) {
      failing = { left: count, status };
    },
    failAll(status) {
      failing = { left: Number.POSITIVE_INFINITY, status };
    },
    hang() {
      hanging = true;
    },
    accept() {
      failing = { left: 0, status: 500 };
      hanging = false;
    },
    async waitForAccepted(count, timeoutMs = 10_000) {
      await waitFor(() => accepted.length >= count, { timeoutMs, what: `${count} requests accepted by the HTTP receiver` });
      return accepted;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async start() {
      if (server) return;
      const s = http.createServer(handler);
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(options.port, host, () => resolve());
      });
      server = s;
    },
  };
  await receiver.start();
  return receiver;
}
