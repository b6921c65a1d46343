import type { ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../contract/index.ts';
import { CONNECTION_LIMITS } from '../../collector/http/guard.ts';
import { startSafeServer, type SafeServer } from '../../collector/http/server.ts';
import { webServerRig } from '../../collector/web/testing.ts';
import { rawRequest, startHttpChild } from './raw-http.ts';

/**
 * Slow and greedy HTTP clients against both of the collector's HTTP servers: the acknowledgement/API endpoint
 * (in its own process, http-child.ts) and the status pages (collector/web). Slowloris sockets trickling header
 * bytes and bodies, hundreds at once, from one address and from many; oversized headers, bodies declared at
 * 10 GB, chunked bodies without end, invalid methods. Judged by Node's own HTTP server and a real client: the
 * process survives, memory stays bounded, a well-behaved client gets its answer within a few seconds, and each
 * slow socket is closed by the server within its time limit (Node sweeps for them only every
 * connectionsCheckingInterval, 30 s unless set).
 */
let ack: { child: ChildProcess; port: number; exited: () => boolean; rss: () => Promise<number> };
let web: Awaited<ReturnType<typeof webServerRig>>;
const sockets: Socket[] = [];

beforeAll(async () => {
  ack = await startHttpChild();
  web = await webServerRig();
}, 30_000);
afterAll(async () => {
  for (const s of sockets) s.destroy();
  ack?.child.kill();
  await web?.stop();
});

interface Slow {
  socket: Socket;
  closedAt: () => number | undefined;
  answer: () => string;
}

/** A client that sends `head` at once and then one more byte of `trickle` every `everyMs`, never finishing. */
function slowClient(port: number, localAddress: string, head: string, trickle = 'abcdefghijklmnopqrstuvwxyz', everyMs = 2_000): Promise<Slow> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    sockets.push(socket);
    let closedAt: number | undefined;
    let answer = '';
    let i = 0;
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write(trickle[i++ % trickle.length]!);
    }, everyMs);
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      closedAt ??= Date.now();
    });
    socket.once('connect', () => {
      socket.write(head);
      resolve({ socket, closedAt: () => closedAt, answer: () => answer });
    });
    // A connection refused at accept may close before 'connect' fires on our side.
    socket.once('close', () => resolve({ socket, closedAt: () => closedAt, answer: () => answer }));
  });
}

/** A real client from 127.0.0.1: the status of its answer and how long it took. */
async function timedRequest(port: number, request: string): Promise<{ status: number | null; ms: number }> {
  const start = Date.now();
  const status = await rawRequest(port, request, 5_000);
  return { status, ms: Date.now() - start };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n`;
const openSockets = (all: Slow[]) => all.filter((s) => s.closedAt() === undefined).length;

describe('slowloris: 200 slow sockets on each server', () => {
  it('a real client is answered within a few seconds meanwhile, and every slow socket is closed by the server within headersTimeout plus a sweep', async () => {
    const started = Date.now();
    // 25 from each of 8 addresses: under the per-address cap, so all 400 are held (200 per server).
    const open = async (port: number) => {
      const all: Slow[] = [];
      for (let a = 2; a < 10; a++) all.push(...(await Promise.all(Array.from({ length: 25 }, () => slowClient(port, `127.0.0.${a}`, 'GET / HTTP/1.1\r\nHost: h\r\nX-Slow: ')))));
      return all;
    };
    const [ackSlow, webSlow] = await Promise.all([open(ack.port), open(web.server.port)]);
    await sleep(500);
    expect(openSockets(ackSlow)).toBe(200);
    expect(openSockets(webSlow)).toBe(200);
    const a = await timedRequest(ack.port, GET('/nothing'));
    const w = await timedRequest(web.server.port, GET('/assets/app.css'));
    console.log(`with 200 slow sockets open: ack answered ${a.status} in ${a.ms} ms, web ${w.status} in ${w.ms} ms`);
    expect(a.status).toBe(404);
    expect(w.status).toBe(200);
    expect(a.ms).toBeLessThan(3_000);
    expect(w.ms).toBeLessThan(3_000);
    // The server ends each one itself (408 or a close): headersTimeout (10 s) plus one sweep (1 s), with margin.
    const deadline = CONNECTION_LIMITS.headersTimeoutMs + 6_000;
    while (Date.now() - started < deadline && openSockets(ackSlow) + openSockets(webSlow) > 0) await sleep(250);
    const last = Math.max(...[...ackSlow, ...webSlow].map((s) => s.closedAt() ?? Infinity)) - started;
    console.log(`slowloris sockets closed by the servers after at most ${last} ms (headersTimeout ${CONNECTION_LIMITS.headersTimeoutMs} ms)`);
    expect(openSockets(ackSlow)).toBe(0);
    expect(openSockets(webSlow)).toBe(0);
    expect(ackSlow.filter((s) => s.answer().startsWith('HTTP/1.1 408')).length).toBeGreaterThan(0);
    expect(ack.exited()).toBe(false);
  }, 40_000);

  it('200 sockets from one address: at most the per-address cap is held, the rest closed at once; another address is answered', async () => {
    const check = async (port: number) => {
      const all = await Promise.all(Array.from({ length: 200 }, () => slowClient(port, '127.0.0.20', 'GET / HTTP/1.1\r\nHost: h\r\nX-Slow: ')));
      await sleep(1_000);
      const held = openSockets(all);
      const answer = await timedRequest(port, GET('/nothing'));
      for (const s of all) s.socket.destroy();
      return { held, answer };
    };
    const [a, w] = await Promise.all([check(ack.port), check(web.server.port)]);
    console.log(`200 sockets from one address: ack held ${a.held}, web held ${w.held} (cap ${CONNECTION_LIMITS.maxConnectionsPerAddress}); a real client answered in ${a.answer.ms} / ${w.answer.ms} ms`);
    expect(a.held).toBeLessThanOrEqual(CONNECTION_LIMITS.maxConnectionsPerAddress);
    expect(w.held).toBeLessThanOrEqual(CONNECTION_LIMITS.maxConnectionsPerAddress);
    expect(a.answer.status).toBe(404);
    expect(w.answer.status).toBe(404);
    expect(Math.max(a.answer.ms, w.answer.ms)).toBeLessThan(3_000);
  }, 30_000);
});

describe('time limits (a server with short limits, so the test is quick)', () => {
  let server: SafeServer;
  beforeAll(async () => {
    server = await startSafeServer({
      host: '127.0.0.1', port: 0, name: 'limits', log: createLogger('limits', 'silent'),
      limits: { headersTimeoutMs: 1_500, requestTimeoutMs: 3_000, keepAliveTimeoutMs: 1_000 },
      handler: async (req, res) => {
        for await (const _ of req) void _; // reads the whole body, however slow
        res.end('ok');
      },
    });
  });
  afterAll(() => server?.close());

  it('trickled headers, a trickled body and an idle keep-alive connection are each closed within their limit plus a sweep', async () => {
    const start = Date.now();
    const headers = await slowClient(server.port, '127.0.0.1', 'GET / HTTP/1.1\r\nHost: h\r\nX-Slow: ', 'abc', 200);
    const body = await slowClient(server.port, '127.0.0.1', 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100000\r\n\r\n', 'x', 200);
    const chunked = await slowClient(server.port, '127.0.0.1', 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n', '1\r\nx\r\n', 200);
    const idle = await slowClient(server.port, '127.0.0.1', 'GET / HTTP/1.1\r\nHost: h\r\n\r\n', '', 60_000);
    while (Date.now() - start < 9_000 && [headers, body, chunked, idle].some((s) => s.closedAt() === undefined)) await sleep(100);
    const after = (s: Slow) => (s.closedAt() ?? Infinity) - start;
    console.log(`closed after: headers ${after(headers)} ms, body ${after(body)} ms, chunked ${after(chunked)} ms, idle keep-alive ${after(idle)} ms`);
    expect(after(headers)).toBeLessThan(1_500 + 2_500);
    expect(after(body)).toBeLessThan(3_000 + 2_500);
    expect(after(chunked)).toBeLessThan(3_000 + 2_500);
    expect(idle.answer()).toMatch(/^HTTP\/1\.1 200/);
    expect(after(idle)).toBeLessThan(1_000 + 2_500);
  }, 15_000);
});

describe('greedy requests: answered 4xx, memory bounded', () => {
  const AUTH = 'Authorization: Bearer http-child-api-token-0123456789abcdef\r\n';
  it('oversized headers, a 10 GB Content-Length, chunked bodies without end and invalid methods', async () => {
    const before = await ack.rss();
    const bigHeader = `GET / HTTP/1.1\r\nHost: h\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`;
    const manyHeaders = `GET / HTTP/1.1\r\nHost: h\r\n${Array.from({ length: 2_000 }, (_, i) => `X-${i}: v`).join('\r\n')}\r\n\r\n`;
    const tenGb = (path: string, extra = '') => `POST ${path} HTTP/1.1\r\nHost: h\r\n${extra}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10737418240\r\n\r\nabc`;
    for (const port of [ack.port, web.server.port]) {
      expect(await rawRequest(port, bigHeader)).toBe(431);
      expect(await rawRequest(port, manyHeaders)).toBe(431);
      for (const m of ['FOO', 'GE T', 'G\x01T', 'BREW', 'get']) expect(await rawRequest(port, `${m} / HTTP/1.1\r\nHost: h\r\n\r\n`), m).toBe(400);
    }
    expect(await rawRequest(ack.port, tenGb('/api/alerts/a1/ack', AUTH))).toBe(413);
    expect(await rawRequest(ack.port, tenGb('/ack'))).toBe(413);
    expect(await rawRequest(web.server.port, tenGb('/login'))).toBe(413);
    expect(await rawRequest(web.server.port, tenGb(`/api/v1/sites/north/notes`, `Authorization: Bearer ${web.apiToken}\r\n`))).toBeGreaterThanOrEqual(400);

    // 32 MiB of chunks that never end, on each server: refused once over the body limit, nothing kept.
    const endless = async (port: number, path: string, auth: string) => {
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
      socket.on('error', () => undefined);
      await new Promise((r) => socket.once('connect', r));
      socket.write(`POST ${path} HTTP/1.1\r\nHost: h\r\n${auth}Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n`);
      const chunk = Buffer.concat([Buffer.from('100000\r\n'), Buffer.alloc(0x100000, 0x61), Buffer.from('\r\n')]);
      for (let i = 0; i < 32 && !socket.destroyed; i++) {
        if (!socket.write(chunk)) {
          await new Promise<void>((r) => {
            const done = () => {
              socket.off('drain', done);
              socket.off('close', done);
              r();
            };
            socket.on('drain', done);
            socket.on('close', done);
          });
        }
      }
      await sleep(300);
      socket.destroy();
      return answer.slice(0, 12);
    };
    expect(await endless(ack.port, '/api/alerts/a1/ack', AUTH)).toBe('HTTP/1.1 413');
    expect(await endless(web.server.port, '/login', '')).toMatch(/^HTTP\/1\.1 4\d\d/);
    const after = await ack.rss();
    console.log(`greedy requests: ack child RSS ${(before / 2 ** 20).toFixed(0)} → ${(after / 2 ** 20).toFixed(0)} MiB`);
    expect(after - before).toBeLessThan(48 * 2 ** 20);
    expect(ack.exited()).toBe(false);
    expect(await rawRequest(ack.port, GET('/nothing'))).toBe(404);
    expect(await rawRequest(web.server.port, GET('/nothing'))).toBe(404);
  }, 30_000);
});
