import type { ChildProcess } from 'node:child_process';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, startHttpChild } from './raw-http.ts';

/**
 * Any request line, path, percent-encoding, header or body, sent over a raw TCP socket to the acknowledgement
 * endpoint in its own process: the process survives, every well-framed request is answered 4xx (no route
 * can be reached with a valid signature or token by chance, and the handler here fails for nothing), and its
 * memory stays bounded. The judge is Node's own HTTP parser and the live process, not our parser.
 */
let child: ChildProcess;
let port: number;
let exited: () => boolean;
let rss: () => Promise<number>;
const TOKEN = 'http-child-api-token-0123456789abcdef';

beforeAll(async () => {
  ({ child, port, exited, rss } = await startHttpChild());
});
afterAll(() => {
  child.kill();
});

const hex = fc.constantFrom(...'0123456789abcdefABCDEFgG'.split(''));
/** A percent sign followed by zero to three hex-ish characters: complete, truncated and invalid escapes, overlong and surrogate UTF-8. */
const escape = fc.oneof(
  fc.array(hex, { minLength: 0, maxLength: 3 }).map((h) => `%${h.join('')}`),
  fc.constantFrom('%E0%A4%A', '%ED%A0%80', '%C0%AF', '%F4%90%80%80', '%FF', '%00', '%0A', '%2F', '%2e%2e', '%25'),
);
const pathChar = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...'abcxyz019-._~/?#[]@!$&\'()*+,;=:%\\ "<>^`{|}'.split('')) },
  { weight: 2, arbitrary: escape },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 2 }) },
);
const weirdPath = fc.tuple(
  fc.constantFrom('/ack', '/ack?', '/api/alerts/', '/api/alerts/a1/ack', '//', '/', '*', 'http://x/', 'http://[', '', '/..', 'ack'),
  fc.array(pathChar, { maxLength: 40 }),
  fc.constantFrom('', '/ack', '?a=1&e=2&c=3&s=4', '?a=%'),
).map(([a, b, c]) => `${a}${b.join('')}${c}`.replace(/[\r\n ]/g, ''));
/** Paths that pass the target check, so the routes and handlers themselves are exercised. */
const routePath = fc.tuple(
  fc.constantFrom('/ack', '/api/alerts/', '/api/alerts/a1/ack', '/'),
  fc.array(fc.oneof(fc.constantFrom(...'abcz09-._~/'.split('')), fc.string({ maxLength: 3 }).map(encodeURIComponent)), { maxLength: 20 }),
  fc.constantFrom('', '/ack', '?a=1&e=2&c=3&s=4', '?a=%41&e=99999999999999&c=&s=zz'),
).map(([a, b, c]) => `${a}${b.join('')}${c}`);
const path = fc.oneof(weirdPath, routePath);
const method = fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'TRACE', 'PROPFIND'), fc.stringMatching(/^[A-Z]{1,10}$/));
const version = fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0');
const headerText = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[\x20-\x7e]{0,60}$/) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }).map((s) => s.replace(/[\r\n]/g, '')) },
);
const header = fc.oneof(
  fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/), headerText),
  fc.tuple(fc.constant('Authorization'), fc.oneof(fc.constant(`Bearer ${TOKEN}`), headerText.map((v) => `Bearer ${v}`))),
  fc.tuple(fc.constant('Content-Type'), fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain; charset=utf-16')),
).filter(([name]) => !/^(content-length|transfer-encoding|host|upgrade|connection|expect)$/i.test(name));
const body = fc.oneof(
  fc.constant(''),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.json({ maxDepth: 3 }),
  fc.constantFrom('{"by":"\\u0000\\u001b[31m"}', '{"by":{"__proto__":{}}}', 'a=%&e=%ZZ&c&s==', '{"by":' + '['.repeat(5_000) + ']'.repeat(5_000) + '}'),
);

const request = fc.record({ method, path, version, headers: fc.array(header, { maxLength: 6 }), body }).map(({ method, path, version, headers, body }) => {
  const payload = Buffer.from(body, 'utf8');
  const lines = [`${method} ${path} ${version}`, 'Host: 127.0.0.1', ...headers.map(([k, v]) => `${k}: ${v}`)];
  if (payload.length > 0 || method === 'POST') lines.push(`Content-Length: ${payload.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
});

describe('HTTP fuzz against the acknowledgement endpoint (raw TCP, separate process)', () => {
  it('answers every well-framed request 4xx and survives', async () => {
    const before = await rss();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (bytes) => {
        const status = await rawRequest(port, bytes);
        statuses.set(status ?? 0, (statuses.get(status ?? 0) ?? 0) + 1);
        expect(exited()).toBe(false);
        expect(status, bytes.toString('latin1').slice(0, 300)).not.toBeNull();
        expect(status!).toBeGreaterThanOrEqual(400);
        expect(status!).toBeLessThan(500);
      }),
      { numRuns: 600 },
    );
    const after = await rss();
    console.log(`HTTP fuzz: 600 requests, answers ${JSON.stringify(Object.fromEntries(statuses))}, child RSS ${(before / 2 ** 20).toFixed(0)} → ${(after / 2 ** 20).toFixed(0)} MiB`);
    expect(after - before).toBeLessThan(64 * 2 ** 20);
  });

  it('survives arbitrary bytes (unframed: answered 4xx or closed, never 2xx/5xx)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 400 }).map((s) => Buffer.from(`GET ${s}`, 'utf8'))), async (bytes) => {
        const status = await rawRequest(port, Buffer.from(bytes), 300);
        expect(exited()).toBe(false);
        if (status !== null) expect(status >= 400 && status < 500, `status ${status}`).toBe(true);
      }),
      { numRuns: 300 },
    );
    expect(await rawRequest(port, 'GET /nothing HTTP/1.1\r\nHost: h\r\n\r\n')).toBe(404);
  });
});
