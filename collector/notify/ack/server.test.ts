import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capturingLogger } from '../../storage/test-support.ts';
import { ackLinks, type AckLinks } from './link.ts';
import { startAckServer, type AckServer, type AcknowledgeOutcome } from './server.ts';

const SECRET = 'ack-endpoint-secret-with-32-chars-or-more';
const TOKEN = 'api-token-for-scripts-0123456789abcdef';
const T0 = Date.UTC(2026, 0, 12, 8, 45, 0);
const HOUR = 3_600_000;

describe('acknowledgement endpoint (real HTTP server on loopback)', () => {
  let now: number;
  let links: AckLinks;
  let server: AckServer;
  let calls: [string, string, number][];
  let answer: AcknowledgeOutcome | 'throw';
  let captured: ReturnType<typeof capturingLogger>;

  beforeEach(async () => {
    now = T0;
    calls = [];
    answer = 'acknowledged';
    captured = capturingLogger();
    links = ackLinks({ publicUrl: 'https://noc.provider.example/hm', secret: SECRET, lifetimeMs: 72 * HOUR, now: () => now });
    server = await startAckServer({
      host: '127.0.0.1',
      port: 0,
      links,
      apiToken: TOKEN,
      log: captured.log,
      now: () => now,
      describe: async (id) => (id === 'north-primary/site-offline' ? 'North Primary is offline since 08:42' : undefined),
      async acknowledge(alertId, by, at) {
        calls.push([alertId, by, at]);
        if (answer === 'throw') throw new Error('database is locked');
        return answer;
      },
    });
  });
  afterEach(() => server.close());

  /** The path and query of a link, sent to this server instead of the public host. */
  const local = (link: string) => `${server.url}${new URL(link).pathname.replace(/^\/hm/, '')}${new URL(link).search}`;
  const confirm = (link: string) =>
    fetch(`${server.url}/ack`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URL(link).searchParams.toString() });

  it('GET shows a confirm page and acknowledges nothing (a mail scanner prefetching the link changes nothing)', async () => {
    const link = links.url('north-primary/site-offline', 'Sam Tech');
    for (let i = 0; i < 3; i++) {
      const res = await fetch(local(link));
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain('North Primary is offline since 08:42');
      expect(text).toContain('<form method="post" action="ack">');
      expect(text).toContain('as Sam Tech');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
    expect(calls).toEqual([]);
  });

  it('POST of the confirm form acknowledges, for the contact in the link, at the injected time', async () => {
    const link = links.url('north-primary/site-offline', 'Sam Tech');
    now += 10 * 60_000;
    const res = await confirm(link);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Acknowledged');
    expect(calls).toEqual([['north-primary/site-offline', 'Sam Tech', T0 + 10 * 60_000]]);
    expect(captured.records.find((r) => r['msg'] === 'ack: acknowledgement')).toMatchObject({ alert: 'north-primary/site-offline', by: 'Sam Tech', via: 'link', outcome: 'acknowledged' });
  });

  it('a link without a contact (a Teams or Slack post) asks for a name and records it', async () => {
    const link = links.url('north-primary/site-offline');
    const text = await (await fetch(local(link))).text();
    expect(text).toContain('<input name="by"');
    const body = new URL(link).searchParams;
    body.set('by', '  Alex  ');
    expect((await fetch(`${server.url}/ack`, { method: 'POST', body })).status).toBe(200);
    expect(calls).toEqual([['north-primary/site-offline', 'Alex', T0]]);
  });

  it('says so when the alert was already acknowledged, is resolved, or is unknown', async () => {
    const link = links.url('a1');
    for (const [outcome, status, words] of [['already', 200, 'Already acknowledged'], ['resolved', 200, 'Already resolved'], ['unknown', 404, 'Alert not found']] as const) {
      answer = outcome;
      const res = await confirm(link);
      expect(res.status).toBe(status);
      expect(await res.text()).toContain(words);
    }
    expect(calls.map((c) => c[1])).toEqual(['acknowledge link', 'acknowledge link', 'acknowledge link']);
  });

  it('refuses a tampered link with 403 and a clear page, on GET and on POST, and acknowledges nothing', async () => {
    const link = new URL(links.url('north-primary/site-offline', 'Sam Tech'));
    link.searchParams.set('a', 'north-primary/core-switch-down');
    for (const res of [await fetch(local(link.href)), await confirm(link.href)]) {
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('This link is not valid');
    }
    expect(calls).toEqual([]);
    expect(captured.records.filter((r) => r['msg'] === 'ack: link refused').map((r) => r['why'])).toEqual(['tampered', 'tampered']);
  });

  it('refuses an expired link with 403 and says it expired', async () => {
    const link = links.url('north-primary/site-offline');
    now += 72 * HOUR;
    for (const res of [await fetch(local(link)), await confirm(link)]) {
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('This link has expired');
    }
    expect(calls).toEqual([]);
  });

  it('answers 400 to a link with parts missing, 405 to other methods, 404 elsewhere', async () => {
    expect((await fetch(`${server.url}/ack?a=x`)).status).toBe(400);
    expect((await fetch(`${server.url}/ack`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${server.url}/`)).status).toBe(404);
  });

  it('a failing acknowledge callback is a 500 page and an error log, not a crash', async () => {
    answer = 'throw';
    const res = await confirm(links.url('a1'));
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('could not be recorded');
    expect(captured.records.find((r) => r['level'] === 50)).toMatchObject({ msg: 'ack: request failed' });
    answer = 'acknowledged';
    expect((await confirm(links.url('a1'))).status).toBe(200);
  });

  describe('POST /api/alerts/<id>/ack', () => {
    const api = (id: string, init: { token?: string; body?: string } = {}) =>
      fetch(`${server.url}/api/alerts/${encodeURIComponent(id)}/ack`, {
        method: 'POST',
        headers: { ...(init.token !== undefined ? { authorization: `Bearer ${init.token}` } : {}), 'content-type': 'application/json' },
        ...(init.body !== undefined ? { body: init.body } : {}),
      });

    it('acknowledges with the bearer token, by the name given or "api"', async () => {
      let res = await api('north-primary/site-offline', { token: TOKEN, body: '{"by":"Alex (CLI)"}' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ alert: 'north-primary/site-offline', result: 'acknowledged' });
      res = await api('a2', { token: TOKEN });
      expect(res.status).toBe(200);
      expect(calls).toEqual([['north-primary/site-offline', 'Alex (CLI)', T0], ['a2', 'api', T0]]);
    });

    it('refuses a missing or wrong token with 401 and WWW-Authenticate, and acknowledges nothing', async () => {
      for (const token of [undefined, 'wrong', `${TOKEN}x`]) {
        const res = await api('a1', { ...(token !== undefined ? { token } : {}) });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="hallmonitor"');
      }
      expect(calls).toEqual([]);
      expect(JSON.stringify(captured.records)).not.toContain(TOKEN);
    });

    it('answers 404 for an unknown alert and 400 for a body that is not the expected JSON', async () => {
      answer = 'unknown';
      expect((await api('nope', { token: TOKEN })).status).toBe(404);
      expect((await api('a1', { token: TOKEN, body: 'by=me' })).status).toBe(400);
      expect((await api('a1', { token: TOKEN, body: '{"by":7}' })).status).toBe(400);
    });
  });
});
