import net from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webServerRig } from '../../collector/web/testing.ts';

/**
 * Any request line, path, header or body against the status pages' server, over a raw socket so nothing is
 * cleaned up by an HTTP client first. Judged by what comes back: always a complete HTTP answer (never a 500,
 * which would be a handler error, never silence or a reset on a request node could parse), school A's link
 * never yields school B, the JSON API writes only with its bearer token, and the server still answers afterwards
 * with bounded memory.
 */
let rig: Awaited<ReturnType<typeof webServerRig>>;
beforeAll(async () => {
  rig = await webServerRig();
});
afterAll(() => rig?.stop());

function raw(request: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(rig.server.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => resolve(Buffer.concat(chunks).toString('latin1'));
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on('data', (c) => chunks.push(c));
    socket.on('close', done);
    socket.on('error', () => undefined);
    socket.write(request, () => socket.end());
  });
}

// TOKEN_A stands for school A's token, put in when the request is sent (the rig starts after these are built).
const token = () => fc.constantFrom('TOKEN_A', 'TOKEN_A'.slice(0, 5), 'TOKEN_Ax', 'south', 'north', '..', '%2e%2e', '%00', '%', '%zz', '%E0%A4%A', '');
const segment = fc.oneof(fc.string({ maxLength: 20 }).map(encodeURIComponent), fc.string({ maxLength: 20 }), fc.constantFrom('s', 'reports', '2026-10.pdf', 'provider', 'sites', 'south', 'notes', 'login', 'logout', 'assets', 'app.css', '..', '.', '%2F', '%252e'));
const path = fc.oneof(
  { arbitrary: fc.constantFrom('/provider', '/provider/sites/north', '/provider/sites/north/notes', '/login', '/logout', '/s/TOKEN_A', '/s/TOKEN_A/reports/2026-10.pdf', '/assets/live.js'), weight: 2 },
  {
    arbitrary: fc.constantFrom('/api/v1/incidents/alert-north/note', '/api/v1/incidents/alert-south/note', '/api/v1/sites/north/maintenance', '/api/v1/sites/south/maintenance', '/api/v1/sites/north/maintenance/0123456789abcdef', '/api/v1/sites/%2e%2e/maintenance', '/api/v2/x', '/api', '/api/v1/incidents/alert-north/note/x'),
    weight: 2,
  },
  { arbitrary: fc.tuple(token(), fc.array(segment, { maxLength: 4 }), fc.string({ maxLength: 30 })).map(([t, segs, q]) => `/s/${t}${segs.map((s) => `/${s}`).join('')}${q ? `?${q}` : ''}`), weight: 4 },
  fc.array(segment, { maxLength: 5 }).map((segs) => `/${segs.join('/')}`),
  fc.string({ maxLength: 60 }),
  fc.constantFrom('*', 'http://evil.example/s/x', '//s/x', '/'.repeat(3000)),
);
const method = fc.oneof({ arbitrary: fc.constantFrom('GET', 'POST'), weight: 4 }, fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'PATCH', 'get'), fc.string({ minLength: 1, maxLength: 10 }));
const header = fc.oneof(
  {
    arbitrary: fc.constantFrom<[string, string]>(
      ['content-type', 'application/x-www-form-urlencoded'],
      ['sec-fetch-site', 'same-origin'],
      ['origin', 'null'],
      ['cookie', 'hm_session=abc; hm_login=x'],
      ['content-type', 'application/json'],
      ['authorization', 'Bearer API_TOKEN'],
      ['authorization', 'Bearer API_TOKENx'],
      ['authorization', 'Basic YWRtaW46eA=='],
    ),
    weight: 4,
  },
  fc.tuple(fc.constantFrom('cookie', 'origin', 'sec-fetch-site', 'content-type', 'content-length', 'transfer-encoding', 'host', 'if-none-match', 'x-fragment', 'authorization'), fc.string({ maxLength: 80 })),
  fc.tuple(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ maxLength: 80 })),
);
const request = fc.record({
  method,
  path,
  version: fc.oneof({ arbitrary: fc.constant('HTTP/1.1'), weight: 8 }, fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 ', 'HTTX')),
  headers: fc.array(header, { maxLength: 6 }),
  body: fc.oneof(
    fc.constant(''),
    fc.string({ maxLength: 200 }),
    fc.constantFrom('csrf=x&alert=alert-north&text=pwned', 'a=%zz', 'x'.repeat(10_000), '{"text":"<script>pwned()</script>"}', '{"text":', `{"text":"${'x'.repeat(9_000)}"}`, '{"name":"Fuzz","start":"2026-11-28T18:00","end":"2026-11-28T19:00"}'),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  ),
});

describe('status pages HTTP fuzz', () => {
  it('any request: a complete answer, never a 500, never school B through A', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const head = [
          `${r.method} ${r.path.replaceAll('TOKEN_A', rig.tokenA)} ${r.version}`,
          'host: 127.0.0.1',
          ...r.headers.map(([k, v]) => `${k}: ${v.replaceAll('API_TOKEN', rig.apiToken)}`),
          `content-length: ${Buffer.byteLength(r.body)}`,
          'connection: close',
        ];
        const answer = await raw(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(r.body)]));
        const status = /^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1];
        expect(status, `no HTTP answer to ${JSON.stringify(head)}: ${JSON.stringify(answer.slice(0, 200))}`).toBeDefined();
        const code = Number(status);
        statuses.set(code, (statuses.get(code) ?? 0) + 1);
        expect(code).not.toBe(500);
        expect([200, 201, 204, 303, 304, 400, 401, 403, 404, 405, 409, 413, 414, 415, 431].includes(code), `status ${code}`).toBe(true);
        // A write answered 2xx only with the API token (the fuzz has no session).
        if (code === 200 || code === 201 || code === 204) {
          if (/^(PUT|POST|DELETE) \/api\//.test(head[0]!)) expect(head.some((h) => h === `authorization: Bearer ${rig.apiToken}`), head[0]).toBe(true);
        }
        expect(answer).not.toContain('South Academy');
        expect(answer).not.toContain('south-server');
      }),
      { numRuns: 400 },
    );
    // Whatever was written came through the API token ("ticketing"), never through a form without a session.
    for (const site of ['north', 'south']) {
      expect([...rig.store.notes(site).values()].every((n) => n.by === 'ticketing')).toBe(true);
      expect(rig.store.windows(site).every((w) => w.by === 'ticketing')).toBe(true);
    }
    // Still serving, and nothing piled up.
    expect((await fetch(`${rig.server.url}/s/${rig.tokenA}`)).status).toBe(200);
    globalThis.gc?.();
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
    console.log('statuses', Object.fromEntries(statuses));
  }, 120_000);

  it('the JSON API with its token: any method, address and body gets a JSON answer, 2xx or a 4xx with a reason; never a 500', async () => {
    const apiRequest = fc.record({
      method: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD'),
      path: fc.oneof(
        fc.constantFrom('/api/v1/incidents/alert-north/note', '/api/v1/sites/north/maintenance', '/api/v1/sites/south/maintenance', '/api/v1/sites/north/maintenance/0123456789abcdef'),
        fc.array(fc.oneof(fc.constantFrom('api', 'v1', 'incidents', 'sites', 'north', 'note', 'maintenance', '..', '%2F'), fc.string({ maxLength: 12 }).map(encodeURIComponent)), { maxLength: 6 }).map((segs) => `/api/${segs.join('/')}`),
      ),
      type: fc.oneof({ arbitrary: fc.constant('application/json'), weight: 4 }, fc.constantFrom('application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', '')),
      body: fc.oneof(
        fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
        fc.record({ text: fc.string({ maxLength: 600 }) }).map((v) => JSON.stringify(v)),
        fc.record({ name: fc.string({ maxLength: 30 }), start: fc.constantFrom('2026-11-28T18:00', 'x'), end: fc.constantFrom('2026-11-28T19:00', '2026-11-28T17:00') }).map((v) => JSON.stringify(v)),
        fc.string({ maxLength: 100 }),
      ),
    });
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(apiRequest, async (r) => {
        const head = [`${r.method} ${r.path} HTTP/1.1`, 'host: 127.0.0.1', `authorization: Bearer ${rig.apiToken}`, ...(r.type ? [`content-type: ${r.type}`] : []), `content-length: ${Buffer.byteLength(r.body)}`, 'connection: close'];
        const answer = await raw(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(r.body)]));
        const code = Number(/^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1]);
        statuses.set(code, (statuses.get(code) ?? 0) + 1);
        expect([200, 201, 204, 400, 404, 405, 409, 413, 415], `${code} for ${head[0]}`).toContain(code);
        expect(answer).toMatch(/\r\ncontent-type: application\/json; charset=utf-8\r\n/i);
        const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
        if (code >= 400 && r.method !== 'HEAD') expect(typeof (JSON.parse(body) as { error?: unknown }).error).toBe('string');
        expect(answer).not.toContain('South Academy');
      }),
      { numRuns: 300 },
    );
    console.log('api statuses', Object.fromEntries(statuses));
    expect((await fetch(`${rig.server.url}/s/${rig.tokenA}`)).status).toBe(200);
  }, 120_000);
});
