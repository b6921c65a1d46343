import { describe, expect, it } from 'vitest';
import { ackLinks, ackUrl, verifyAck } from './link.ts';

const SECRET = 'a-signing-secret-of-at-least-32-chars!';
const T0 = Date.UTC(2026, 0, 12, 8, 45, 0);
const HOUR = 3_600_000;
const paramsOf = (url: string) => Object.fromEntries(new URL(url).searchParams) as Record<string, string>;

describe('acknowledgement links', () => {
  const claims = { alertId: 'north-primary/site-offline', expiresAt: T0 + 72 * HOUR, contact: 'Sam Tech' };

  it('round-trips: a link made now verifies until it expires, and carries alert and contact', () => {
    const url = ackUrl('https://noc.provider.example/hm/', SECRET, claims);
    expect(url).toMatch(/^https:\/\/noc\.provider\.example\/hm\/ack\?a=north-primary%2Fsite-offline&e=\d+&c=Sam\+Tech&s=[A-Za-z0-9_-]{43}$/);
    expect(verifyAck(SECRET, paramsOf(url), T0)).toEqual({ ok: true, claims });
    expect(verifyAck(SECRET, paramsOf(url), T0 + 72 * HOUR - 1)).toMatchObject({ ok: true });
  });

  it('refuses a link past its expiry', () => {
    const url = ackUrl('https://x.example', SECRET, claims);
    expect(verifyAck(SECRET, paramsOf(url), T0 + 72 * HOUR)).toEqual({ ok: false, why: 'expired' });
  });

  it('refuses a link whose alert, expiry, contact or signature was changed, or that another key signed', () => {
    const p = paramsOf(ackUrl('https://x.example', SECRET, claims));
    const flip = (s: string) => `${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
    for (const changed of [
      { ...p, a: 'north-primary/core-switch' },
      { ...p, e: String(Number(p['e']) + 3600) },
      { ...p, c: 'Mallory' },
      { ...p, c: undefined },
      { ...p, s: flip(p['s']!) },
    ]) {
      expect(verifyAck(SECRET, changed, T0)).toEqual({ ok: false, why: 'tampered' });
    }
    expect(verifyAck('another-secret-also-32-characters-long', p, T0)).toEqual({ ok: false, why: 'tampered' });
  });

  it('calls a link without its parts malformed', () => {
    const p = paramsOf(ackUrl('https://x.example', SECRET, claims));
    expect(verifyAck(SECRET, { ...p, s: undefined }, T0)).toEqual({ ok: false, why: 'malformed' });
    expect(verifyAck(SECRET, { ...p, s: 'short' }, T0)).toEqual({ ok: false, why: 'malformed' });
    expect(verifyAck(SECRET, { ...p, e: '1e9' }, T0)).toEqual({ ok: false, why: 'malformed' });
    expect(verifyAck(SECRET, {}, T0)).toEqual({ ok: false, why: 'malformed' });
  });

  it('ackLinks stamps the expiry from its clock and lifetime; a link without a contact works too', () => {
    let now = T0;
    const links = ackLinks({ publicUrl: 'https://x.example', secret: SECRET, lifetimeMs: HOUR, now: () => now });
    const url = links.url('a1');
    expect(paramsOf(url)).not.toHaveProperty('c');
    expect(links.verify(paramsOf(url))).toEqual({ ok: true, claims: { alertId: 'a1', expiresAt: T0 + HOUR } });
    now += HOUR;
    expect(links.verify(paramsOf(url))).toEqual({ ok: false, why: 'expired' });
  });
});
