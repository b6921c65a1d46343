import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, encodeMessage, samplesTopic } from '../../contract/index.ts';
import { createIngest } from './ingest.ts';
import { counterLines, startIngestReport } from './report.ts';
import { T0, batch, sample } from './test-batches.ts';

describe('ingest log lines under a flood', () => {
  it('2,000 bad messages from 2 agents for 2 reasons: one line each at once, one summary each per interval with the count', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = createLogger('report-test', 'debug', new Writable({ write: (c: Buffer, _e, done) => (lines.push(JSON.parse(c.toString())), done()) }));
    const ingest = createIngest({ writer: { write: () => undefined }, log, now: () => T0 + 3_600_000 });
    const report = startIngestReport({ ingest, writer: { write: () => undefined }, log, now: () => T0 + 3_600_000, intervalMs: 60_000 });
    for (let i = 0; i < 500; i++) {
      for (const [agent, site] of [['north-1', 'north'], ['north-2', 'north']] as const) {
        await ingest.handle(samplesTopic(site), 'not json', { agent, site });
        const future = batch({ agent, site, seq: i, samples: [sample({ time: T0 + 86_400_000 })] });
        await ingest.handle(samplesTopic(site), encodeMessage(future), { agent, site });
      }
    }
    const warnings = () => lines.filter((l) => l['level'] === 40);
    expect(warnings()).toHaveLength(4);
    report.stop();
    const summaries = warnings().slice(4);
    expect(summaries).toHaveLength(4);
    expect(summaries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ agent: 'north-1', reason: 'invalid', batches: 500 }),
        expect.objectContaining({ agent: 'north-2', reason: 'invalid', batches: 500 }),
        expect.objectContaining({ agent: 'north-1', reason: 'time-future', samples: 500 }),
        expect.objectContaining({ agent: 'north-2', reason: 'time-future', samples: 500 }),
      ]),
    );
  });
});

describe('collector_ingest lines', () => {
  const row = (agent: string, site: string) => ({ agent, site, outcome: 'rejected' as const, reason: 'invalid', batches: 1, samples: 0 });

  it('an empty or uncarriable agent or site still gives a line, and the interval keeps its other rows', () => {
    const lines = counterLines([row('', ''), row('a b\\', 'x"y'), row('north-1', 'north')], T0);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('agent=(none)');
    expect(lines[1]).toContain('agent=a_b_');
    expect(lines[2]).toContain('agent=north-1');
    expect(lines[2]).toContain('site=north');
  });

  it('ordinary identities are written unchanged', () => {
    expect(counterLines([row('west-1.b@x', 'west')], T0)[0]).toContain('agent=west-1.b@x');
  });
});
