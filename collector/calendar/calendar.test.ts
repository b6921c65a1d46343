import { describe, expect, it } from 'vitest';
import { isInService, maintenanceAt, maintenanceIntervals, schoolHours, serviceIntervals } from './calendar.ts';
import { intersect, normalise, subtract, totalMs } from './interval.ts';
import { monthInterval, previousMonth } from './local-time.ts';
import { maintenanceWindowSchema, schoolCalendarSchema } from './schema.ts';

const LONDON = 'Europe/London';
const utc = (text: string) => Date.parse(`${text}Z`);
const H = 3_600_000;

describe('monthInterval', () => {
  it('starts and ends at local midnight, so October 2026 in London has 745 hours (clocks go back on the 25th)', () => {
    const oct = monthInterval('2026-10', LONDON);
    expect(oct.start).toBe(utc('2026-09-30T23:00:00'));
    expect(oct.end).toBe(utc('2026-11-01T00:00:00'));
    expect((oct.end - oct.start) / H).toBe(31 * 24 + 1);
  });
  it('March 2026 in London has 743 hours', () => {
    const mar = monthInterval('2026-03', LONDON);
    expect((mar.end - mar.start) / H).toBe(31 * 24 - 1);
  });
  it('refuses a malformed month and steps back across a year', () => {
    expect(() => monthInterval('2026-13', LONDON)).toThrow(/YYYY-MM/);
    expect(() => monthInterval('2026-1', LONDON)).toThrow(/YYYY-MM/);
    expect(previousMonth('2026-01')).toBe('2025-12');
  });
});

describe('school hours', () => {
  const calendar = schoolCalendarSchema.parse({
    schoolHours: { mon: '08:00-16:00', sun: '22:00-02:00' },
    terms: [{ start: '2026-10-19', end: '2026-10-30' }],
    closures: [{ start: '2026-10-26', end: '2026-10-30', name: 'half term' }],
  });
  it('are open on term days outside closures, at local time on both sides of the DST change', () => {
    const open = schoolHours(calendar, LONDON, utc('2026-10-19T00:00:00'), utc('2026-11-02T00:00:00'));
    // Mon 19th (BST: 08:00 local = 07:00Z), Sun 25th 22:00-02:00 (after the change: GMT), Mon 26th closed.
    expect(open).toEqual([
      { start: utc('2026-10-19T07:00:00'), end: utc('2026-10-19T15:00:00') },
      { start: utc('2026-10-25T22:00:00'), end: utc('2026-10-26T02:00:00') },
    ]);
  });
  it('a time in service and one outside', () => {
    expect(isInService('school-hours', calendar, LONDON, utc('2026-10-19T10:00:00'))).toBe(true);
    expect(isInService('school-hours', calendar, LONDON, utc('2026-10-19T15:30:00'))).toBe(false);
    expect(isInService('always', calendar, LONDON, utc('2026-10-27T03:00:00'))).toBe(true);
  });
  it('24x7 is the whole range', () => {
    expect(serviceIntervals('always', calendar, LONDON, 5, 10)).toEqual([{ start: 5, end: 10 }]);
  });
  it('with no terms every day with hours counts', () => {
    const plain = schoolCalendarSchema.parse({});
    const week = schoolHours(plain, LONDON, utc('2026-11-02T00:00:00'), utc('2026-11-09T00:00:00'));
    expect(totalMs(week) / H).toBe(5 * 8.5);
  });
});

describe('maintenance windows', () => {
  const windows = [
    maintenanceWindowSchema.parse({ name: 'switch firmware', devices: ['core'], start: '2026-03-28T23:00', end: '2026-03-29T03:00' }),
    maintenanceWindowSchema.parse({ name: 'nightly backup', weekly: { days: ['tue'], time: '23:30-00:30' } }),
  ];
  it('a one-off window across the spring-forward night lasts 3 real hours', () => {
    const spans = maintenanceIntervals(windows, LONDON, 'core', utc('2026-03-28T00:00:00'), utc('2026-03-30T00:00:00'));
    expect(spans).toEqual([{ start: utc('2026-03-28T23:00:00'), end: utc('2026-03-29T02:00:00') }]);
  });
  it('covers only its devices; a window without devices covers the whole site', () => {
    expect(maintenanceAt(windows, LONDON, 'ap-1', utc('2026-03-29T00:00:00'))).toBeUndefined();
    expect(maintenanceAt(windows, LONDON, 'ap-1', utc('2026-11-03T23:45:00'))?.name).toBe('nightly backup');
    expect(maintenanceAt(windows, LONDON, undefined, utc('2026-11-04T00:15:00'))?.name).toBe('nightly backup');
    expect(maintenanceAt(windows, LONDON, undefined, utc('2026-11-04T00:31:00'))).toBeUndefined();
  });
  it('a weekly window that started the day before the range is seen', () => {
    const spans = maintenanceIntervals(windows, LONDON, 'x', utc('2026-11-04T00:00:00'), utc('2026-11-05T00:00:00'));
    expect(spans).toEqual([{ start: utc('2026-11-04T00:00:00'), end: utc('2026-11-04T00:30:00') }]);
  });
  it('clear errors for a malformed window', () => {
    const errors = (input: unknown) => maintenanceWindowSchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(errors({ name: 'x' })).toEqual([': needs start and end, or weekly']);
    expect(errors({ name: 'x', start: '2026-01-01T10:00' })).toEqual(['end: start and end go together']);
    expect(errors({ name: 'x', start: '2026-01-01T10:00', end: '2026-01-01T09:00' })).toEqual(['end: after start']);
    expect(errors({ name: 'x', weekly: { days: ['tue'], time: '25:00-01:00' } })?.[0]).toMatch(/^weekly.time: /);
  });
});

describe('intervals', () => {
  it('normalise, intersect and subtract', () => {
    expect(normalise([{ start: 5, end: 7 }, { start: 1, end: 3 }, { start: 3, end: 4 }, { start: 6, end: 6 }])).toEqual([{ start: 1, end: 4 }, { start: 5, end: 7 }]);
    expect(intersect([{ start: 0, end: 10 }], [{ start: 2, end: 3 }, { start: 8, end: 12 }])).toEqual([{ start: 2, end: 3 }, { start: 8, end: 10 }]);
    expect(subtract([{ start: 0, end: 10 }], [{ start: 2, end: 3 }, { start: 8, end: 12 }])).toEqual([{ start: 0, end: 2 }, { start: 3, end: 8 }]);
  });
});
