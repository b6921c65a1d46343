import { describe, expect, it } from 'vitest';
import { dueReport } from './schedule.ts';

const utc = (text: string) => Date.parse(`${text}Z`);
const DEFAULT = { day: 1, time: '07:00' };

describe('dueReport', () => {
  it('the 1st at 07:00 in the school\'s zone (GMT in November, BST in April)', () => {
    expect(dueReport('Europe/London', DEFAULT, 7, utc('2026-11-01T06:59:00'))).toBeUndefined();
    expect(dueReport('Europe/London', DEFAULT, 7, utc('2026-11-01T07:00:00'))).toEqual({ month: '2026-10', dueAt: utc('2026-11-01T07:00:00') });
    expect(dueReport('Europe/London', DEFAULT, 7, utc('2026-04-01T06:00:00'))).toEqual({ month: '2026-03', dueAt: utc('2026-04-01T06:00:00') });
    expect(dueReport('Pacific/Auckland', DEFAULT, 7, utc('2026-10-31T18:00:00'))).toEqual({ month: '2026-10', dueAt: utc('2026-10-31T18:00:00') });
  });
  it('catches up for catchUpDays, then stops; January reports December', () => {
    expect(dueReport('Europe/London', DEFAULT, 7, utc('2026-11-07T23:00:00'))?.month).toBe('2026-10');
    expect(dueReport('Europe/London', DEFAULT, 7, utc('2026-11-08T07:00:00'))).toBeUndefined();
    expect(dueReport('Europe/London', DEFAULT, 3, utc('2027-01-02T12:00:00'))?.month).toBe('2026-12');
  });
  it('a late day still finds last month\'s report when the catch-up runs into this month', () => {
    expect(dueReport('Europe/London', { day: 28, time: '09:00' }, 7, utc('2026-12-02T10:00:00'))).toEqual({ month: '2026-10', dueAt: utc('2026-11-28T09:00:00') });
  });
});
