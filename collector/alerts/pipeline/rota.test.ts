import { describe, expect, it } from 'vitest';
import { testSite } from '../testing.ts';
import { escalationOrder, onCallOrder, type Rota } from './rota.ts';

const rota: Rota = {
  timezone: 'Europe/London',
  contacts: [{ name: 'Alice', email: 'a@p.example' }, { name: 'Bob', email: 'b@p.example' }, { name: 'Carol' }],
  shifts: [
    { from: 'mon 08:00', order: ['Alice', 'Bob'] },
    { from: 'fri 17:00', order: ['Bob', 'Carol', 'Alice'] },
  ],
};
const names = (at: string) => onCallOrder(rota, Date.parse(at)).map((r) => r.name);

describe('on-call rota', () => {
  it('the shift whose hand-over came last, in the provider time zone', () => {
    expect(names('2026-11-24T12:00:00Z')).toEqual(['Alice', 'Bob']); // Tuesday
    expect(names('2026-11-27T16:59:00Z')).toEqual(['Alice', 'Bob']); // Friday 16:59 London (GMT)
    expect(names('2026-11-27T17:00:00Z')).toEqual(['Bob', 'Carol', 'Alice']);
    expect(names('2026-11-30T07:59:00Z')).toEqual(['Bob', 'Carol', 'Alice']); // Monday before 08:00
    expect(names('2026-11-30T08:00:00Z')).toEqual(['Alice', 'Bob']);
  });

  it('hand-over at local wall time across a DST change (BST: 08:00 London is 07:00 UTC)', () => {
    expect(names('2026-06-01T07:00:00Z')).toEqual(['Alice', 'Bob']);
    expect(names('2026-06-01T06:59:00Z')).toEqual(['Bob', 'Carol', 'Alice']);
  });

  it('without shifts: every contact in order; a site with its own on-call contacts calls them first', () => {
    expect(onCallOrder({ ...rota, shifts: [] }, 0).map((r) => r.name)).toEqual(['Alice', 'Bob', 'Carol']);
    const site = testSite({ contacts: [{ name: 'Trust IT', email: 'it@trust.example', roles: ['on-call'] }, { name: 'Head', roles: ['report'] }] });
    expect(escalationOrder(site, rota, 0)).toEqual([{ name: 'Trust IT', email: 'it@trust.example' }]);
    expect(escalationOrder(testSite(), rota, Date.parse('2026-11-24T12:00:00Z'))[0]).toEqual({ name: 'Alice', email: 'a@p.example' });
  });
});
