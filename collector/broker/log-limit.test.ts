import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../contract/index.ts';
import { createLimitedLog } from './log-limit.ts';

/** Issue 11 item 6: 6.7 million "subscribe denied" lines in five minutes. */
describe('createLimitedLog', () => {
  it('a flood of 30,000 warnings from 3 agents for 4 reasons is 12 lines, then 12 summaries carrying the counts', () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = createLogger('limit-test', 'debug', new Writable({ write: (c: Buffer, _e, done) => (lines.push(JSON.parse(c.toString())), done()) }));
    const limited = createLimitedLog(log, { windowMs: 60_000 });
    const agents = ['north-1', 'north-2', 'north-3'];
    const reasons = ['subscribe denied', 'publish denied', 'message too large', 'over its message rate'];
    for (let i = 0; i < 30_000; i++) {
      limited.warn({ agent: agents[i % 3], site: 'north' }, reasons[i % 4]!, { topic: `t/${i}` }, 'refused');
    }
    expect(lines).toHaveLength(12);
    limited.stop();
    const summaries = lines.slice(12);
    expect(summaries).toHaveLength(12);
    // 30,000 over 12 keys: 2,500 each, the first logged as it happened, 2,499 counted in the summary.
    for (const s of summaries) expect(s).toMatchObject({ repeated: 2_499, windowMs: 60_000, msg: 'refused (repeated)' });
    expect(summaries.reduce((n, s) => n + (s['repeated'] as number), 0) + 12).toBe(30_000);
  });

  it('quiet side: a single warning is one line and no summary; the table is bounded for keys without end', () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = createLogger('limit-test', 'debug', new Writable({ write: (c: Buffer, _e, done) => (lines.push(JSON.parse(c.toString())), done()) }));
    const once = createLimitedLog(log);
    once.warn({ agent: 'south-1' }, 'subscribe denied', {}, 'refused');
    once.stop();
    expect(lines).toHaveLength(1);
    lines.length = 0;
    const many = createLimitedLog(log, { maxKeys: 100 });
    for (let i = 0; i < 10_000; i++) many.warn({ remote: `10.0.${i >> 8}.${i & 255}` }, 'connecting too often', {}, 'refused');
    many.stop();
    expect(lines).toHaveLength(101);
    expect(lines.at(-1)).toMatchObject({ repeated: 9_900 });
  });
});
