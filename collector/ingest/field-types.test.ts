import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FieldTypes } from './field-types.ts';
import { hash53, SeriesBudgets } from './series-budget.ts';

// Keys from a small alphabet, so that the same keys come back (known) and new ones appear (learnt), and
// declared names (ping's `up`, the `device` tag) meet undeclared ones.
const key = fc.constantFrom('up', 'rtt_avg_ms', 'device', 'site', 'x', 'y', 'z', 'mode', 'error');
const value = fc.oneof(fc.integer(), fc.constantFrom('a', 'b'), fc.boolean());
const sample = fc.record({
  measurement: fc.constantFrom('ping', 'snmp', 'lab', 'lab2'),
  tags: fc.dictionary(key, fc.constantFrom('v1', 'v2'), { maxKeys: 2 }),
  fields: fc.dictionary(key, value, { minKeys: 1, maxKeys: 3 }),
});

describe('FieldTypes.check: learns', () => {
  it('is false exactly when learn() would fix nothing, so skipping learn() then changes no verdict', () => {
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 40 }), fc.integer({ min: 1, max: 8 }), (samples, maxLearned) => {
        const always = new FieldTypes(maxLearned);
        const skipping = new FieldTypes(maxLearned);
        for (const s of samples) {
          const a = always.check(s.measurement, s.fields, s.tags);
          const b = skipping.check(s.measurement, s.fields, s.tags);
          expect(b).toEqual(a);
          if (!a.ok) continue;
          const before = always.learnedCount;
          always.learn(s.measurement, s.fields, s.tags);
          if (!a.learns) expect(always.learnedCount).toBe(before);
          if (b.ok && b.learns) skipping.learn(s.measurement, s.fields, s.tags);
          expect(skipping.learnedCount).toBe(always.learnedCount);
        }
      }),
    );
  });

  it('says learns for an undeclared key and not for declared ones, nor for a key once learnt', () => {
    const t = new FieldTypes();
    expect(t.check('ping', { up: 1 }, { device: 'gw' })).toEqual({ ok: true, learns: false });
    expect(t.check('ping', { up: 1, extra: 2 })).toEqual({ ok: true, learns: true });
    t.learn('ping', { up: 1, extra: 2 });
    expect(t.check('ping', { up: 1, extra: 3 })).toEqual({ ok: true, learns: false });
    expect(t.check('ping', { extra: 'x' })).toMatchObject({ ok: false, reason: 'field-type' });
  });
});

describe('SeriesBudgets.admit over a prefix', () => {
  it('hashes and counts the first `end` characters exactly as the sliced key', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 6 })), { maxLength: 30 }), fc.integer({ min: 0, max: 20 }), (keys, budget) => {
        const sliced = new SeriesBudgets(() => budget, { sites: new Map(), seed: 7, remember: () => undefined });
        const prefixed = new SeriesBudgets(() => budget, { sites: new Map(), seed: 7, remember: () => undefined });
        for (const [series, rest] of keys) {
          const line = `${series} ${rest}`;
          expect(prefixed.admit('s', line, series.length)).toBe(sliced.admit('s', series));
          expect(hash53(line, 7, series.length)).toBe(hash53(series, 7));
        }
        expect(prefixed.used('s')).toBe(sliced.used('s'));
      }),
    );
  });
});
