import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebStore, statusUrl } from './store.ts';

const dirs: string[] = [];
const open = (dir = mkdtempSync(join(tmpdir(), 'hm-web-store-'))) => {
  dirs.push(dir);
  return { dir, store: new WebStore({ db: join(dir, 'web.db'), key: join(dir, 'web.key') }) };
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('status links', () => {
  it('256-bit tokens, stable until rotated, per site; the database holds only their hash; the key file is 0600', () => {
    const { dir, store } = open();
    const a = store.ensureLink('north', 1)!;
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(store.ensureLink('north', 2)).toBe(a);
    expect(store.currentLink('north')).toBe(a);
    const b = store.ensureLink('south', 3)!;
    expect(b).not.toBe(a);
    expect(store.siteOfToken(a)).toBe('north');
    expect(store.siteOfToken(b)).toBe('south');
    store.close();
    expect(readFileSync(join(dir, 'web.db')).includes(Buffer.from(a))).toBe(false);
    expect(statSync(join(dir, 'web.key')).mode & 0o777).toBe(0o600);
    // Reopened (the CLI, the collector after a restart): the same link is printed again.
    const again = open(dir).store;
    expect(again.currentLink('north')).toBe(a);
    again.close();
  });

  it('revoke: refused at once and not remade by ensureLink; rotate: a new one, the old refused', () => {
    const { store } = open();
    const a = store.ensureLink('north', 1)!;
    expect(store.revokeLink('north', 2)).toBe(true);
    expect(store.revokeLink('north', 3)).toBe(false);
    expect(store.siteOfToken(a)).toBeUndefined();
    expect(store.ensureLink('north', 4)).toBeUndefined();
    const b = store.rotateLink('north', 5);
    expect(b).not.toBe(a);
    expect(store.siteOfToken(a)).toBeUndefined();
    expect(store.siteOfToken(b)).toBe('north');
    expect(store.links()).toEqual([{ site: 'north', createdAt: 5 }]);
    store.close();
  });

  it('anything that is not a token opens nothing', () => {
    const { store } = open();
    const a = store.ensureLink('north', 1)!;
    for (const t of ['', 'north', a.slice(0, 42), `${a}x`, a.toUpperCase() === a ? `${a.slice(0, 42)}!` : a.toUpperCase(), "' OR 1=1 --"]) expect(store.siteOfToken(t)).toBeUndefined();
    store.close();
  });

  it('notes: set, replaced, cleared by empty text, cut to 500 characters; per site', () => {
    const { store } = open();
    store.setNote({ alertId: 'x1', site: 'north', text: 'first', by: 'sam', at: 1 });
    store.setNote({ alertId: 'x1', site: 'north', text: 'second', by: 'ann', at: 2 });
    store.setNote({ alertId: 'y1', site: 'south', text: 'z'.repeat(600), by: 'ann', at: 2 });
    expect([...store.notes('north').values()]).toEqual([{ alertId: 'x1', site: 'north', text: 'second', by: 'ann', at: 2 }]);
    expect(store.notes('south').get('y1')!.text).toHaveLength(500);
    store.setNote({ alertId: 'x1', site: 'north', text: '  ', by: 'ann', at: 3 });
    expect(store.notes('north').size).toBe(0);
    store.close();
  });

  it('status URL under the public URL', () => {
    expect(statusUrl('https://status.example/', 'abc')).toBe('https://status.example/s/abc');
    expect(statusUrl('https://example.org/hm', 'abc')).toBe('https://example.org/hm/s/abc');
  });
});
