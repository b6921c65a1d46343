import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, encodeMessage, samplesTopic } from '../../contract/index.ts';
import { makeTempDir } from '../../test/harness/index.ts';
import type { LineChunk } from '../storage/line.ts';
import { createIngest } from './ingest.ts';
import { openLearnedState, type LearnedState } from './learned.ts';
import { T0, batch, sample } from './test-batches.ts';

/**
 * Issue 11 item 7 and "What to build: a contract that fixes types": the series budget and the learned field
 * types lived in memory only, so a collector restart gave every site a fresh budget of series and let the
 * first sample after it fix an undeclared field's type anew. Here one ingest learns, stops, and a second one
 * over the same file (a restarted collector) must still know.
 */
const dir = makeTempDir('hm-learned-');
afterAll(() => dir.remove());
const identity = { agent: 'north-1', site: 'north-primary' };
const topic = samplesTopic('north-primary');
const log = createLogger('learned-test', 'silent');

function collector(state: LearnedState | undefined) {
  const written: LineChunk[] = [];
  const ingest = createIngest({
    writer: { write: (c) => written.push(c) },
    log,
    now: () => T0 + 3_600_000,
    seriesBudget: () => 10,
    ...(state ? { learned: state } : {}),
  });
  return { ingest, written };
}

/** Seven new series (one interface each), and a custom field first seen as a string. */
const firstRun = (seq: number) =>
  batch({
    seq,
    samples: [
      ...Array.from({ length: 7 }, (_, i) => sample({ measurement: 'interface', tags: { device: 'sw', interface: `ge-${seq}-${i}` }, fields: { in_bps: 1 } })),
      sample({ measurement: 'vendor_extra', tags: { device: 'sw' }, fields: { firmware: 'v1.2' } }),
    ],
  });

describe('learned state across restarts', () => {
  it('a restarted collector keeps the sites\' series budgets and the learned field types', async () => {
    const file = join(dir.path, 'ingest-learned.sqlite');
    const first = openLearnedState(file, log);
    const a = collector(first);
    await a.ingest.handle(topic, encodeMessage(firstRun(0)), identity);
    expect(a.ingest.seriesUsed('north-primary')).toBe(8);
    first.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // The restart: a new ingest, the same file.
    const second = openLearnedState(file, log);
    const b = collector(second);
    expect(b.ingest.seriesUsed('north-primary')).toBe(8);
    // Seven more new series: two fit the budget of 10, five are refused (the vendor_extra series is known).
    // Before: a restart gave a fresh budget, and all seven fitted.
    await b.ingest.handle(topic, encodeMessage(firstRun(1)), identity);
    expect(b.ingest.stats().rejectedSamples['series-budget']).toBe(5);
    expect(b.ingest.seriesUsed('north-primary')).toBe(10);
    // The custom field was a string before the restart: a number now is refused, as it would be by InfluxDB.
    const retyped = batch({ seq: 2, samples: [sample({ measurement: 'vendor_extra', tags: { device: 'sw' }, fields: { firmware: 3 } })] });
    await b.ingest.handle(topic, encodeMessage(retyped), identity);
    expect(b.ingest.stats().rejectedSamples['field-type']).toBe(1);
    second.close();

    // The other side: without the file (as before), the same restart forgets both.
    const c = collector(undefined);
    await c.ingest.handle(topic, encodeMessage(retyped), identity);
    expect(c.ingest.stats()).toMatchObject({ acceptedSamples: 1, rejectedSamples: { 'field-type': 0 } });
    await c.ingest.handle(topic, encodeMessage(firstRun(1)), identity);
    expect(c.ingest.stats().rejectedSamples['series-budget']).toBe(0);
  });

  it('a third run sees what the second learned, and a well-behaved site within its budget is untouched', async () => {
    const file = join(dir.path, 'ingest-learned.sqlite');
    const third = openLearnedState(file, log);
    const d = collector(third);
    expect(d.ingest.seriesUsed('north-primary')).toBe(10);
    expect(d.ingest.seriesUsed('south')).toBe(0);
    const south = { agent: 'south-1', site: 'south' };
    const ok = batch({ agent: 'south-1', site: 'south', samples: [sample({ measurement: 'vendor_extra', tags: { device: 'fw' }, fields: { firmware: 'v9' } })] });
    await d.ingest.handle(samplesTopic('south'), encodeMessage(ok), south);
    expect(d.ingest.stats().acceptedSamples).toBe(1);
    expect(d.written).toHaveLength(1);
    third.close();
  });
});
