import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeComponent, parseTarget } from './request.ts';

describe('parseTarget', () => {
  it('decodes each path segment once, keeping an encoded "/" inside its segment', () => {
    const r = parseTarget('/api/alerts/north%2Fsite-offline/ack?x=1');
    expect(r).toMatchObject({ ok: true, target: { path: '/api/alerts/north%2Fsite-offline/ack', segments: ['api', 'alerts', 'north/site-offline', 'ack'] } });
    expect(r.ok && r.target.query.get('x')).toBe('1');
  });

  it('reads the absolute form (RFC 9112 §3.2.2) by its path and query', () => {
    expect(parseTarget('http://collector.example/ack?a=1')).toMatchObject({ ok: true, target: { segments: ['ack'] } });
  });

  it.each([
    ['%E0%A4%A', 'malformed percent-encoding'],
    ['//[', 'single "/"'],
    ['*', 'single "/"'],
    ['/a/../b', 'dot segments'],
    ['/%00', 'control characters'],
    ['/a b', 'percent-encoded'],
    ['/ack?a=%zz', 'malformed percent-encoding in the query'],
    ['http://[', 'malformed absolute URL'],
  ])('refuses %s (%s)', (raw, reason) => {
    const r = parseTarget(raw.startsWith('%') ? `/api/alerts/${raw}/ack` : raw);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(reason);
  });

  it('never throws, whatever the string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
      parseTarget(s);
      parseTarget(`/${s}`);
    }), { numRuns: 2_000 });
  });

  it('decodeComponent answers undefined instead of throwing', () => {
    expect(decodeComponent('%ED%A0%80')).toBeUndefined();
    expect(decodeComponent('a%20b')).toBe('a b');
  });
});
