import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from '../../contract/index.ts';
import { CONNECTION_LIMITS, guardConnections, serverOptions, type ConnectionLimits } from './guard.ts';
import { HttpError, parseTarget, type RequestTarget } from './request.ts';

/**
 * One request's handler. Whatever it throws or rejects with becomes an answer: an HttpError its status,
 * anything else a 500; the process never sees it.
 */
export type SafeHandler = (req: http.IncomingMessage, res: http.ServerResponse, target: RequestTarget) => Promise<void> | void;

/** What a failed request is answered with; the default is plain text. */
export type ErrorPage = (res: http.ServerResponse, status: number, message: string, target: RequestTarget | undefined) => void;

export interface SafeServerLimits extends ConnectionLimits {
  /** Request line plus headers, bytes (Node's default is 16 KiB). */
  maxHeaderBytes: number;
}

export const SAFE_SERVER_LIMITS: SafeServerLimits = { maxHeaderBytes: 8 * 1024, ...CONNECTION_LIMITS };

export interface SafeServerOptions {
  host: string;
  /** 0: any free port. */
  port: number;
  handler: SafeHandler;
  log: Logger;
  /** Used for every refused or failed request. */
  errorPage?: ErrorPage;
  limits?: Partial<SafeServerLimits>;
  /** Names the server in its log lines ("ack", "web"). */
  name: string;
}

export interface SafeServer {
  readonly port: number;
  /** http://host:port */
  readonly url: string;
  readonly server: http.Server;
  /** Requests answered 4xx because the request itself was malformed, 5xx because a handler failed, and connections closed at accept (guard.ts). */
  readonly stats: { readonly malformed: number; readonly failed: number; readonly refused: number };
  close(): Promise<void>;
}

const plainError: ErrorPage = (res, status, message) => {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }).end(`${message}\n`);
};

/**
 * An HTTP/1.1 server (node:http) that no request can stop: the request target is parsed before any handler
 * sees it (a malformed one is a 400, RFC 9112 §3.2), every handler error becomes a 4xx/5xx answer, protocol
 * errors from Node's parser are answered 400/431 and the socket closed, and the sizes and times a client can
 * hold are bounded. Shared by the acknowledgement endpoint and the status pages.
 */
export async function startSafeServer(o: SafeServerOptions): Promise<SafeServer> {
  const limits = { ...SAFE_SERVER_LIMITS, ...o.limits };
  const log = o.log.child({ component: o.name });
  const errorPage = o.errorPage ?? plainError;
  const stats = { malformed: 0, failed: 0, refused: 0 };

  const answerError = (res: http.ServerResponse, err: unknown, target: RequestTarget | undefined): void => {
    const status = err instanceof HttpError ? err.status : 500;
    if (status >= 500) {
      stats.failed++;
      log.error({ err: err instanceof Error ? err.message : String(err), path: target?.path }, `${o.name}: request failed`);
    }
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    const message = err instanceof HttpError ? err.message : 'internal error';
    try {
      errorPage(res, status, message, target);
    } catch (pageErr) {
      log.error({ err: (pageErr as Error).message }, 'error page failed');
      if (!res.headersSent) plainError(res, status, message, target);
      else res.destroy();
    }
  };

  const server = http.createServer({ maxHeaderSize: limits.maxHeaderBytes, ...serverOptions(limits) }, (req, res) => {
    let target: RequestTarget | undefined;
    try {
      const parsed = parseTarget(req.url);
      if (!parsed.ok) {
        stats.malformed++;
        throw new HttpError(400, parsed.reason);
      }
      target = parsed.target;
      const t = target;
      Promise.resolve()
        .then(() => o.handler(req, res, t))
        .catch((err: unknown) => answerError(res, err, t));
    } catch (err) {
      answerError(res, err, target);
    }
  });
  guardConnections(server, limits, () => stats.refused++);
  // What Node's own parser refuses (a request line it cannot read, headers over the limit, a bad chunk).
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    stats.malformed++;
    if (!socket.writable || (err.code === 'ECONNRESET')) return socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
  });
  // Without a listener Node drops these sockets unanswered; this server tunnels and upgrades nothing.
  const refuse = (status: number) => (_req: http.IncomingMessage, socket: Socket) => {
    stats.malformed++;
    socket.on('error', () => socket.destroy());
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
  };
  server.on('connect', refuse(405));
  server.on('upgrade', refuse(400));
  server.on('error', (err) => log.error({ err: err.message }, 'HTTP server error'));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`,
    server,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
