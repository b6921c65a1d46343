import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTE_MAX } from './store.ts';
import { PASSWORD, webServerRig } from './testing.ts';

let rig: Awaited<ReturnType<typeof webServerRig>>;
beforeAll(async () => {
  rig = await webServerRig();
});
afterAll(() => rig?.stop());

const api = (path: string, init: { method?: string; token?: string | undefined; body?: string; type?: string; headers?: Record<string, string> } = {}) =>
  fetch(`${rig.server.url}/api/v1${path}`, {
    method: init.method ?? 'GET',
    redirect: 'manual',
    headers: {
      ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
      ...(init.body === undefined ? {} : { 'content-type': init.type ?? 'application/json' }),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
const json = (v: unknown) => JSON.stringify(v);
const note = (text: string, token: string | null = rig.apiToken) => api('/incidents/alert-north/note', { method: 'PUT', token: token ?? undefined, body: json({ text }) });

async function sessionCookie(): Promise<string> {
  const form = await fetch(`${rig.server.url}/login`);
  const cookie = form.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
  const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const res = await fetch(`${rig.server.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: rig.server.url },
    body: new URLSearchParams({ csrf, username: 'admin', password: PASSWORD, next: '/provider' }).toString(),
  });
  return res.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('hm_session='))!;
}

describe('API: who may call it', () => {
  it('a good token sets and clears a public note', async () => {
    const set = await note('Engineer on site at 2 pm.');
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ incident: 'alert-north', site: 'north', text: 'Engineer on site at 2 pm.', by: 'ticketing' });
    expect(rig.store.notes('north').get('alert-north')).toMatchObject({ text: 'Engineer on site at 2 pm.', by: 'ticketing' });
    expect((await api('/incidents/alert-north/note', { method: 'DELETE', token: rig.apiToken })).status).toBe(204);
    expect(rig.store.notes('north').size).toBe(0);
  });

  it('no token, a wrong one, a malformed one, or another scheme: 401 with WWW-Authenticate, nothing stored', async () => {
    const [, id, secret] = rig.apiToken.split('.') as [string, string, string];
    const flipped = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    const wrong = [`hmapi.${id}.${flipped}`, `hmapi.${'0'.repeat(16)}.${secret}`, secret, `${rig.apiToken}x`, rig.tokenA, ''];
    const missing = await note('pwned', null);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="hallmonitor"');
    for (const token of wrong) {
      const res = await note('pwned', token);
      expect(res.status, token).toBe(401);
      expect(await res.json()).toEqual({ error: expect.stringContaining('API token') });
    }
    expect((await api('/incidents/alert-north/note', { method: 'PUT', headers: { authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}` }, body: json({ text: 'pwned' }) })).status).toBe(401);
    // Nothing about the sites leaks before the token: an unknown site and a known one answer alike.
    expect((await api('/sites/north/maintenance')).status).toBe(401);
    expect((await api('/sites/nowhere/maintenance')).status).toBe(401);
    expect(rig.store.notes('north').size).toBe(0);
  });

  it('a signed-in session cookie alone is refused (the API reads no cookies: nothing to ride from another site)', async () => {
    const cookie = await sessionCookie();
    expect((await fetch(`${rig.server.url}/provider`, { headers: { cookie }, redirect: 'manual' })).status).toBe(200);
    const res = await api('/incidents/alert-north/note', { method: 'PUT', headers: { cookie, origin: rig.server.url, 'sec-fetch-site': 'same-origin' }, body: json({ text: 'pwned' }) });
    expect(res.status).toBe(401);
    expect(rig.store.notes('north').size).toBe(0);
    // No CORS: a preflight gets no allowance, so a page elsewhere cannot send the header or JSON at all.
    const pre = await api('/incidents/alert-north/note', { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'PUT' } });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a removed token is refused at its next request', async () => {
    const token = rig.store.addApiToken('temporary', Date.now());
    expect((await api('/sites/north/maintenance', { token })).status).toBe(200);
    rig.store.removeApiToken('temporary');
    expect((await api('/sites/north/maintenance', { token })).status).toBe(401);
  });
});

describe('API: what it accepts', () => {
  it('bad bodies: malformed JSON 400, oversized 413, a form 415, a long or extra field 400; nothing stored', async () => {
    const put = (body: string, type?: string) => api('/incidents/alert-north/note', { method: 'PUT', token: rig.apiToken, body, ...(type ? { type } : {}) });
    for (const body of ['{', '{"text": "a"', 'null', '[]', '"text"', '{"text": 5}', '{"text": "a", "by": "someone else"}', json({ text: 'x'.repeat(NOTE_MAX + 1) }), '\u00ff{"text":"a"}']) {
      const res = await put(body);
      expect(res.status, body.slice(0, 40)).toBe(400);
      expect(Object.keys((await res.json()) as object)).toEqual(['error']);
    }
    expect((await put(Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]).toString('latin1'))).status).toBe(400);
    expect((await put(json({ text: 'x'.repeat(20_000) }))).status).toBe(413);
    expect((await put('text=pwned', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await put('text=pwned', 'text/plain')).status).toBe(415);
    expect(rig.store.notes('north').size).toBe(0);
    expect((await api('/incidents/no-such-alert/note', { method: 'PUT', token: rig.apiToken, body: json({ text: 'a' }) })).status).toBe(404);
    expect((await api('/incidents/alert-north/note', { method: 'POST', token: rig.apiToken, body: json({ text: 'a' }) })).status).toBe(405);
  });

  it('maintenance windows: added, listed, refused when malformed or naming another site\'s device, removed', async () => {
    const add = (site: string, body: unknown) => api(`/sites/${site}/maintenance`, { method: 'POST', token: rig.apiToken, body: json(body) });
    const ok = await add('north', { name: 'Router firmware', devices: ['router'], start: '2026-11-28T18:00', end: '2026-11-28T19:30' });
    expect(ok.status).toBe(201);
    const made = (await ok.json()) as { id: string };
    expect(made).toMatchObject({ site: 'north', name: 'Router firmware', devices: ['router'], start: '2026-11-28T18:00', end: '2026-11-28T19:30', by: 'ticketing' });
    expect(ok.headers.get('location')).toBe(`/api/v1/sites/north/maintenance/${made.id}`);
    const weekly = await add('north', { name: 'Patching', weekly: { days: ['sat'], time: '22:00-23:00' } });
    expect(weekly.status).toBe(201);
    const listed = (await (await api('/sites/north/maintenance', { token: rig.apiToken })).json()) as { windows: { id: string; name: string }[] };
    expect(listed.windows.map((w) => w.name)).toEqual(['Router firmware', 'Patching']);
    for (const [site, body] of [
      ['north', { name: 'Backwards', start: '2026-11-28T19:00', end: '2026-11-28T18:00' }],
      ['north', { name: 'Both', start: '2026-11-28T18:00', end: '2026-11-28T19:00', weekly: { days: ['sat'], time: '22:00-23:00' } }],
      ['north', { name: 'Neither' }],
      ['north', { name: '', start: '2026-11-28T18:00', end: '2026-11-28T19:00' }],
      ['north', { name: 'Zone', start: '2026-11-28T18:00Z', end: '2026-11-28T19:00Z' }],
      ['north', { name: 'Extra', start: '2026-11-28T18:00', end: '2026-11-28T19:00', site: 'south' }],
      ['south', { name: 'North router from South', devices: ['router'], start: '2026-11-28T18:00', end: '2026-11-28T19:00' }],
    ] as const) {
      const res = await add(site, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await add('nowhere', { name: 'x', weekly: { days: ['sat'], time: '22:00-23:00' } })).status).toBe(404);
    expect(rig.store.windows('south')).toEqual([]);
    // Removed by id, only at its own site.
    expect((await api(`/sites/south/maintenance/${made.id}`, { method: 'DELETE', token: rig.apiToken })).status).toBe(404);
    expect((await api(`/sites/north/maintenance/${made.id}`, { method: 'DELETE', token: rig.apiToken })).status).toBe(204);
    expect((await api(`/sites/north/maintenance/${made.id}`, { method: 'DELETE', token: rig.apiToken })).status).toBe(404);
    expect(rig.store.windows('north').map((w) => w.window.name)).toEqual(['Patching']);
    rig.store.removeWindow('north', ((await weekly.json()) as { id: string }).id);
  });

  it('any JSON body for a window: stored exactly as given (read back through the API) or refused with a 400 and a reason; never a 500', async () => {
    const time = fc.oneof(
      { arbitrary: fc.date({ min: new Date('2026-01-01'), max: new Date('2027-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 16)), weight: 4 },
      fc.constantFrom('2026-11-28T25:00', '2026-13-01T00:00', '18:00', '2026-11-28T18:00:00.000Z'),
      fc.string({ maxLength: 20 }),
    );
    const body = fc.oneof(
      { arbitrary: fc.record({ name: fc.string({ minLength: 1, maxLength: 210 }), start: time, end: time }, { requiredKeys: ['name', 'start', 'end'] }), weight: 3 },
      fc.record({ name: fc.string({ maxLength: 210 }), start: time, end: time }, { requiredKeys: [] }),
      fc.record({ name: fc.string({ maxLength: 20 }), devices: fc.array(fc.constantFrom('router', 'south-server', '', '../x'), { maxLength: 3 }), weekly: fc.record({ days: fc.array(fc.constantFrom('mon', 'sat', 'Sun', 'x'), { maxLength: 3 }), time: fc.constantFrom('22:00-23:00', '23:00-01:00', '9-5', '') }) }, { requiredKeys: ['name'] }),
      fc.jsonValue({ maxDepth: 3 }),
    );
    const reasons = new Map<string, number>();
    let stored = 0;
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await api('/sites/north/maintenance', { method: 'POST', token: rig.apiToken, body: json(b) });
        const answer = (await res.json()) as Record<string, unknown>;
        expect([201, 400]).toContain(res.status);
        if (res.status === 400) {
          expect(typeof answer.error).toBe('string');
          const reason = String(answer.error).split(':')[0]!;
          reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
          return;
        }
        stored++;
        const back = ((await (await api('/sites/north/maintenance', { token: rig.apiToken })).json()) as { windows: Record<string, unknown>[] }).windows.find((w) => w.id === answer.id)!;
        const { id: _i, site: _s, by: _b, at: _a, ...fields } = back;
        expect(fields).toEqual(b);
        expect((await api(`/sites/north/maintenance/${String(answer.id)}`, { method: 'DELETE', token: rig.apiToken })).status).toBe(204);
      }),
      { numRuns: 200 },
    );
    console.log(`windows: ${stored} stored exactly, refused by reason`, Object.fromEntries(reasons));
    expect(stored).toBeGreaterThan(0);
    expect(rig.store.windows('north')).toEqual([]);
  }, 60_000);
});
