import { describe, expect, it } from 'vitest';
import type { Sample } from '../../contract/index.ts';
import { FieldTypes } from './field-types.ts';
import { screenSamples, type ScreenContext } from './screen.ts';
import { SeriesBudgets } from './series-budget.ts';

const NOW = Date.UTC(2026, 0, 10, 12);
const MIN = 60_000;
const ctx = (budget = Number.POSITIVE_INFINITY, maxLearned?: number): ScreenContext => ({
  window: { maxSkewMs: 5 * MIN, maxAgeMs: 45 * 86_400_000 },
  fieldTypes: new FieldTypes(maxLearned),
  budgets: new SeriesBudgets(() => budget),
});
const s = (overrides: Partial<Sample> = {}): Sample => ({ measurement: 'ping', tags: { device: 'gw' }, fields: { up: 1 }, time: NOW, ...overrides });
const reasons = (r: ReturnType<typeof screenSamples>) => Object.fromEntries(r.rejected.map((x) => [x.reason, x.samples]));

describe('screenSamples', () => {
  it('keeps times up to now + skew and back to now - max age, and refuses just beyond either', () => {
    const r = screenSamples(
      [s({ time: NOW + 5 * MIN }), s({ time: NOW + 5 * MIN + 1 }), s({ time: NOW - 45 * 86_400_000 }), s({ time: NOW - 45 * 86_400_000 - 1 })],
      'north',
      NOW,
      ctx(),
    );
    expect(r.kept.map((k) => k.time)).toEqual([NOW + 5 * MIN, NOW - 45 * 86_400_000]);
    expect(reasons(r)).toEqual({ 'time-future': 1, 'time-past': 1 });
  });

  it('holds declared field types, and learns undeclared ones from the first kept sample', () => {
    const c = ctx();
    const r = screenSamples(
      [s({ fields: { up: 'x' } }), s({ fields: { up: true } }), s({ fields: { up: 0 } }), s({ measurement: 'lab', fields: { v: 'a' } }), s({ measurement: 'lab', fields: { v: 2 } }), s({ measurement: 'lab2', fields: { v: 2 } })],
      'north',
      NOW,
      c,
    );
    expect(r.kept.map((k) => `${k.measurement}:${String(k.fields['up'] ?? k.fields['v'])}`)).toEqual(['ping:0', 'lab:a', 'lab2:2']);
    expect(reasons(r)).toEqual({ 'field-type': 3 });
    expect(r.rejected[0]!.detail).toBe('ping.up is number, got a string');
  });

  it('never lets a key be a tag in one sample and a field in another', () => {
    const r = screenSamples(
      [s({ fields: { up: 1, site: 'x' } }), s({ tags: { device: 'gw', up: '1' } }), s({ measurement: 'lab', tags: { k: 'a' }, fields: { v: 1 } }), s({ measurement: 'lab', fields: { k: 1 } })],
      'north',
      NOW,
      ctx(),
    );
    expect(r.kept).toHaveLength(1);
    expect(reasons(r)).toEqual({ 'key-conflict': 3 });
  });

  it("refuses the collector's own measurements", () => {
    const r = screenSamples([s({ measurement: 'collector_ingest' }), s({ measurement: 'agent_status' }), s({ measurement: 'alert_event' }), s({ measurement: 'school_state', fields: { state: 0 } })], 'north', NOW, ctx());
    expect(reasons(r)).toEqual({ 'reserved-measurement': 4 });
  });

  it('admits new series up to the budget, known series always, and spends nothing on refused samples', () => {
    const c = ctx(3);
    const first = screenSamples([s({ tags: { device: 'a' }, fields: { up: 'bad' } }), ...['a', 'b', 'c', 'd'].map((d) => s({ tags: { device: d } }))], 'north', NOW, c);
    expect(first.kept.map((k) => k.tags['device'])).toEqual(['a', 'b', 'c']);
    expect(reasons(first)).toEqual({ 'field-type': 1, 'series-budget': 1 });
    const again = screenSamples([s({ tags: { device: 'a' }, time: NOW + 1 }), s({ tags: { device: 'e' } })], 'north', NOW, c);
    expect(again.kept.map((k) => k.tags['device'])).toEqual(['a']);
    // Budgets are per site.
    expect(screenSamples([s({ tags: { device: 'e' } })], 'south', NOW, c).kept).toHaveLength(1);
  });

  it('refuses text line protocol cannot carry even if it got past the contract', () => {
    const r = screenSamples([s({ tags: { device: 'a\\ b' } }), s({ tags: { device: 'two\nlines' } }), s({ measurement: '#comment' })], 'north', NOW, ctx());
    expect(reasons(r)).toEqual({ unstorable: 3 });
  });

  it('stops learning at its bound and then refuses new undeclared keys, not declared ones', () => {
    const c = ctx(Number.POSITIVE_INFINITY, 2);
    const r = screenSamples([s({ measurement: 'lab', fields: { a: 1, b: 1 } }), s({ measurement: 'lab', fields: { c: 1 } }), s({ fields: { up: 1, loss_pct: 0 } })], 'north', NOW, c);
    expect(r.kept.map((k) => k.measurement)).toEqual(['lab', 'ping']);
    expect(reasons(r)).toEqual({ 'field-type': 1 });
  });
});
