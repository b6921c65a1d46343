import { describe, expect, it } from 'vitest';
import { AgentSequence, type SeqVerdict } from './sequence.ts';

/** Sends seqs in order of arrival; sentAt is the seq's own (a replay carries the original). */
function feed(seqs: number[], window = 1024, sentAt = (seq: number) => 1_000 + seq) {
  const [first, ...rest] = seqs;
  const tracker = new AgentSequence({ seq: first!, sentAt: sentAt(first!) }, window);
  const verdicts: SeqVerdict['kind'][] = ['new'];
  for (const seq of rest) {
    const verdict = tracker.classify(seq, sentAt(seq));
    tracker.record(seq, sentAt(seq), verdict);
    verdicts.push(verdict.kind);
  }
  return { tracker, verdicts };
}

describe('AgentSequence', () => {
  it('accepts a steady sequence with no gaps', () => {
    const { tracker, verdicts } = feed([5, 6, 7, 8]);
    expect(verdicts).toEqual(['new', 'new', 'new', 'new']);
    expect(tracker.snapshot()).toEqual({ missing: 0, duplicates: 0, restarts: 0, unknown: 0, lastSeq: 8 });
  });

  it('counts a redelivered seq as a duplicate, whether at the top, in the middle or below the contiguous mark', () => {
    const { tracker, verdicts } = feed([1, 2, 2, 4, 4, 1, 3, 3]);
    expect(verdicts).toEqual(['new', 'new', 'duplicate', 'new', 'duplicate', 'duplicate', 'new', 'duplicate']);
    expect(tracker.snapshot()).toMatchObject({ duplicates: 4, missing: 0 });
  });

  it('counts k-1 missing when the seq jumps by k, and takes one off per late arrival', () => {
    const { tracker } = feed([10, 14]);
    expect(tracker.snapshot().missing).toBe(3);
    const late = tracker.classify(12, 1_012);
    expect(late).toEqual({ kind: 'new', filledGap: true });
    tracker.record(12, 1_012, late);
    expect(tracker.snapshot().missing).toBe(2);
    expect(tracker.classify(12, 1_012)).toEqual({ kind: 'duplicate' });
  });

  it('changes nothing on classify alone, so a batch whose write failed is still new next time', () => {
    const tracker = new AgentSequence({ seq: 1, sentAt: 1_001 });
    expect(tracker.classify(2, 1_002)).toEqual({ kind: 'new', filledGap: false });
    expect(tracker.classify(2, 1_002)).toEqual({ kind: 'new', filledGap: false });
    expect(tracker.snapshot().lastSeq).toBe(1);
  });

  it('keeps memory bounded: gives up on the oldest hole but still lets it fill its gap later', () => {
    // seq 2 is missing while 3..12 arrive; a window of 4 forces the mark past it.
    const { tracker } = feed([1, ...Array.from({ length: 10 }, (_, i) => i + 3)], 4);
    expect(tracker.snapshot().missing).toBe(1);
    expect(tracker.classify(2, 1_002)).toEqual({ kind: 'new', filledGap: true });
    tracker.record(2, 1_002, { kind: 'new', filledGap: true });
    expect(tracker.snapshot().missing).toBe(0);
    expect(tracker.classify(2, 1_002)).toEqual({ kind: 'duplicate' });
    expect(tracker.classify(11, 1_011)).toEqual({ kind: 'duplicate' });
  });

  it('forgets the oldest missing seqs beyond the window; if they come after all they are written, not dropped', () => {
    // Every other seq missing: 1, 3, 5, ... 41 arrive, 2, 4, ... 40 do not.
    const odd = Array.from({ length: 21 }, (_, i) => 2 * i + 1);
    const { tracker } = feed(odd, 4);
    expect(tracker.snapshot().missing).toBe(20);
    expect(tracker.classify(2, 1_002)).toEqual({ kind: 'unknown' });
    expect(tracker.classify(40, 1_040)).toEqual({ kind: 'new', filledGap: true });
  });

  it('treats seqs older than the first one seen (collector restarted) as unknown, to be written', () => {
    const { tracker, verdicts } = feed([101, 100, 102]);
    expect(verdicts).toEqual(['new', 'unknown', 'new']);
    expect(tracker.snapshot()).toMatchObject({ unknown: 1, missing: 0 });
  });

  it('sees an agent that lost its counter (used seq, newer sentAt) as a restart and counts on from there', () => {
    const tracker = new AgentSequence({ seq: 500, sentAt: 10_000 });
    tracker.record(501, 10_060, tracker.classify(501, 10_060));
    const restart = tracker.classify(0, 20_000);
    expect(restart).toEqual({ kind: 'restart', previousMax: 501 });
    tracker.record(0, 20_000, restart);
    for (const [seq, sentAt] of [[1, 20_060], [2, 20_120]] as const) {
      expect(tracker.classify(seq, sentAt)).toEqual({ kind: 'new', filledGap: false });
      tracker.record(seq, sentAt, tracker.classify(seq, sentAt));
    }
    expect(tracker.classify(1, 20_060)).toEqual({ kind: 'duplicate' });
    expect(tracker.snapshot()).toEqual({ missing: 0, duplicates: 0, restarts: 1, unknown: 0, lastSeq: 2 });
  });

  it('stays exact over a long shuffled stream with replays', () => {
    const seqs: number[] = [0];
    let rnd = 42;
    const random = () => ((rnd = (rnd * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const lost = new Set<number>();
    for (let seq = 1; seq < 5_000; seq++) {
      if (random() < 0.02) lost.add(seq);
      else seqs.push(seq);
      if (random() < 0.1) seqs.push(Math.max(0, seq - Math.floor(random() * 20)));
    }
    // Swap neighbours now and then: out-of-order delivery.
    for (let i = 1; i + 1 < seqs.length; i++) if (random() < 0.1) [seqs[i], seqs[i + 1]] = [seqs[i + 1]!, seqs[i]!];
    const { tracker, verdicts } = feed(seqs, 64);
    const newCount = verdicts.filter((v) => v === 'new').length;
    expect(newCount).toBe(new Set(seqs).size);
    expect(tracker.snapshot().missing).toBe([...lost].filter((s) => !seqs.includes(s)).length);
    expect(tracker.snapshot().duplicates).toBe(seqs.length - newCount);
  });

  it('restores from its saved text to one that classifies every seq the same and counts on', () => {
    const { tracker } = feed([0, 1, 2, 5, 9, 9, 3, 12, 13], 4);
    const restored = AgentSequence.restore(tracker.save(), 4);
    expect(restored.snapshot()).toEqual(tracker.snapshot());
    for (let seq = 0; seq <= 15; seq++) expect(restored.classify(seq, 1_000 + seq), `seq ${seq}`).toEqual(tracker.classify(seq, 1_000 + seq));
    expect(AgentSequence.restore(restored.save(), 4).save()).toBe(tracker.save());
  });
});
