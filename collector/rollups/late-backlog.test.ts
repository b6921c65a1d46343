import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../contract/index.ts';
import { lateSpan, startLateBacklog, type Span } from './late-backlog.ts';

const H = 3_600_000;
const T = Date.UTC(2026, 11, 7, 10, 7, 0); // 10:07 UTC
const log = createLogger('test', 'silent');

describe('what the hourly rollups miss', () => {
  it('late only in an hour already rolled up for its school: both sides of the watermark', () => {
    const rolledUntil = Date.UTC(2026, 11, 7, 11, 0, 0);
    expect(lateSpan([{ time: rolledUntil - 1 }], rolledUntil)).toEqual({ from: rolledUntil - 1, to: rolledUntil });
    expect(lateSpan([{ time: rolledUntil }], rolledUntil)).toBeUndefined();
    // A school the scheduler has not rolled up yet, and an empty batch, are never late.
    expect(lateSpan([{ time: T }], undefined)).toBeUndefined();
    expect(lateSpan([], rolledUntil)).toBeUndefined();
  });

  it('the span is exactly the samples\' times in rolled hours, whatever the mix (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 * H }), { maxLength: 50 }), fc.integer({ min: 0, max: 12 }), (offsets, hours) => {
        const samples = offsets.map((o) => ({ time: T + o }));
        const rolledUntil = Math.floor(T / H) * H + hours * H;
        const late = samples.filter((s) => s.time < rolledUntil).map((s) => s.time);
        const span = lateSpan(samples, rolledUntil);
        if (late.length === 0) expect(span).toBeUndefined();
        else expect(span).toEqual({ from: Math.min(...late), to: Math.max(...late) + 1 });
      }),
    );
  });
});

describe('the late-backlog rollups', () => {
  function rig(fail = false, outage: { since?: number } = {}, marks = new Map([['north', T + 4 * H], ['south', T + 4 * H], ['east', T + 4 * H]])) {
    let now = T + 5 * H;
    const runs: { site: string; span: Span; flushedBefore: boolean }[] = [];
    let flushed = false;
    const backlog = startLateBacklog({
      rolledUntil: (site) => marks.get(site),
      now: () => now,
      log,
      quietMs: 120_000,
      checkEveryMs: 3_600_000,
      writerOutageSince: () => outage.since,
      written: async () => {
        flushed = true;
      },
      backfill: async (site, span) => {
        runs.push({ site: site ?? 'ALL', span, flushedBefore: flushed });
        if (fail) throw new Error('InfluxDB said no');
      },
    });
    return { backlog, runs, advance: (ms: number) => (now += ms) };
  }

  it('rolls up each school once its replay is quiet, over its whole late span, after everything is written', async () => {
    const { backlog, runs, advance } = rig();
    try {
      backlog.observe('north', [{ time: T }, { time: T + 60_000 }]);
      backlog.observe('north', [{ time: T + H }]);
      backlog.observe('south', [{ time: T + 2 * H }]);
      // Live data of a third school is not late, nor anything of a school not rolled up yet.
      backlog.observe('east', [{ time: T + 5 * H - 30_000 }]);
      backlog.observe('west', [{ time: T }]);
      await backlog.runDue();
      expect(runs).toEqual([]); // still replaying
      advance(120_000);
      await backlog.runDue();
      expect(runs).toEqual([
        { site: 'north', span: { from: T, to: T + H + 1 }, flushedBefore: true },
        { site: 'south', span: { from: T + 2 * H, to: T + 2 * H + 1 }, flushedBefore: true },
      ]);
      expect(backlog.pending().size).toBe(0);
      // Nothing runs twice.
      advance(600_000);
      await backlog.runDue();
      expect(runs).toHaveLength(2);
    } finally {
      backlog.stop();
    }
  });

  it('waits for the whole region\'s replay: a school done early is re-rolled once every school has been quiet, not while another still replays', async () => {
    const { backlog, runs, advance } = rig();
    try {
      backlog.observe('north', [{ time: T }]);
      // South replays for 4 more minutes, a batch every 30 s; north has long been quiet.
      for (let i = 0; i < 8; i++) {
        advance(30_000);
        backlog.observe('south', [{ time: T + H + i * 60_000 }]);
        await backlog.runDue();
      }
      expect(runs).toEqual([]);
      // Just under a quiet spell after south's last batch: still nothing.
      advance(119_999);
      await backlog.runDue();
      expect(runs).toEqual([]);
      advance(1);
      await backlog.runDue();
      expect(runs.map((r) => r.site)).toEqual(['north', 'south']);
    } finally {
      backlog.stop();
    }
  });

  it('a school that keeps sending late samples holds the others back only five quiet spells, and is not re-rolled itself meanwhile', async () => {
    const { backlog, runs, advance } = rig();
    try {
      backlog.observe('north', [{ time: T }]);
      // East trickles a late sample every minute for 15 minutes.
      for (let minute = 1; minute <= 15; minute++) {
        advance(60_000);
        backlog.observe('east', [{ time: T + minute * 60_000 }]);
        await backlog.runDue();
        // North is due 5 × 2 minutes after its own last late sample, not before.
        expect(runs.map((r) => r.site), `minute ${minute}`).toEqual(minute < 10 ? [] : ['north']);
      }
      advance(120_000);
      await backlog.runDue();
      expect(runs.map((r) => r.site)).toEqual(['north', 'east']);
    } finally {
      backlog.stop();
    }
  });

  it('keeps a span whose rollup failed and tries again after another quiet spell, not at once', async () => {
    const { backlog, runs, advance } = rig(true);
    try {
      backlog.observe('north', [{ time: T }]);
      advance(120_000);
      await backlog.runDue();
      expect(runs).toHaveLength(1);
      expect(backlog.pending().get('north')).toMatchObject({ from: T, to: T + 1 });
      advance(60_000);
      await backlog.runDue();
      expect(runs).toHaveLength(1);
      advance(60_000);
      await backlog.runDue();
      expect(runs).toHaveLength(2);
    } finally {
      backlog.stop();
    }
  });

  it('after InfluxDB was unreachable, rolls up every school over the outage once writes recovered and went quiet', async () => {
    const outage: { since?: number } = {};
    const { backlog, runs, advance } = rig(false, outage);
    try {
      const start = T + 5 * H;
      outage.since = start;
      advance(3 * H);
      await backlog.runDue();
      expect(runs).toEqual([]); // still failing: nothing to roll up yet
      outage.since = undefined;
      advance(60_000);
      await backlog.runDue(); // recovery noticed here
      expect(runs).toEqual([]);
      advance(120_000);
      await backlog.runDue();
      expect(runs).toEqual([{ site: 'ALL', span: { from: start, to: start + 3 * H + 60_000 }, flushedBefore: true }]);
      advance(600_000);
      await backlog.runDue();
      expect(runs).toHaveLength(1);
    } finally {
      backlog.stop();
    }
  });

  it('with the schools known, the outage is rolled up school by school, each over the outage, a failed one retried alone', async () => {
    const outage: { since?: number } = {};
    let now = T + 5 * H;
    const runs: { site: string | undefined; span: Span }[] = [];
    let southFails = 1;
    const backlog = startLateBacklog({
      rolledUntil: () => undefined,
      sites: () => ['north', 'south', 'east'],
      now: () => now,
      log,
      quietMs: 120_000,
      checkEveryMs: 3_600_000,
      writerOutageSince: () => outage.since,
      written: async () => undefined,
      backfill: async (site, span) => {
        runs.push({ site, span });
        if (site === 'south' && southFails-- > 0) throw new Error('InfluxDB said no');
      },
    });
    try {
      const start = now;
      outage.since = start;
      now += H;
      await backlog.runDue();
      outage.since = undefined;
      await backlog.runDue();
      now += 120_000;
      await backlog.runDue();
      const span = { from: start, to: start + H };
      // A failure stops the turn; the rest go on at the next one, the failed school after its own quiet spell.
      expect(runs).toEqual([{ site: 'north', span }, { site: 'south', span }]);
      await backlog.runDue();
      expect(runs.slice(2)).toEqual([{ site: 'east', span }]);
      now += 120_000;
      await backlog.runDue();
      expect(runs.slice(3)).toEqual([{ site: 'south', span }]);
      expect(backlog.pending().size).toBe(0);
    } finally {
      backlog.stop();
    }
  });
});

describe('re-rolls after a replay (property)', () => {
  it('a sample in an unrolled hour brings nothing; samples in rolled hours bring one re-roll per school of exactly their span', async () => {
    const sites = ['north', 'south', 'east'];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.record({ site: fc.constantFrom(...sites), offset: fc.integer({ min: 0, max: 9 * H - 1 }) }), { maxLength: 40 }),
        async (rolledHours, batch) => {
          const base = Math.floor(T / H) * H;
          const marks = new Map(sites.map((s, i) => [s, base + rolledHours[i]! * H]));
          let now = base + 9 * H;
          const runs: { site: string | undefined; span: Span }[] = [];
          const backlog = startLateBacklog({
            rolledUntil: (site) => marks.get(site),
            now: () => now,
            log,
            quietMs: 1_000,
            checkEveryMs: 3_600_000,
            written: async () => undefined,
            backfill: async (site, span) => void runs.push({ site, span }),
          });
          try {
            for (const { site, offset } of batch) backlog.observe(site, [{ time: base + offset }]);
            now += 1_000;
            await backlog.runDue();
            await backlog.runDue();
            const expected = sites.flatMap((site) => {
              const late = batch.filter((b) => b.site === site && base + b.offset < marks.get(site)!).map((b) => base + b.offset);
              return late.length === 0 ? [] : [{ site, span: { from: Math.min(...late), to: Math.max(...late) + 1 } }];
            });
            expect([...runs].sort((a, b) => a.site!.localeCompare(b.site!))).toEqual(expected.sort((a, b) => a.site.localeCompare(b.site)));
          } finally {
            backlog.stop();
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
