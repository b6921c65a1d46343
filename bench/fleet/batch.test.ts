import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { WIRE_VERSION, decodeMessage, encodeMessage, samplesBatchSchema, type SamplesBatch } from '../../contract/index.ts';
import { encodeBatch } from './batch.ts';
import { pollSamples, school, switchesOf } from './schools.ts';

const batchOf = (i: number, poll: number, at: number, down: Set<string>): SamplesBatch => {
  const s = school(i);
  return { v: WIRE_VERSION, agent: s.agent, site: s.site, seq: poll, sentAt: at + 500, samples: pollSamples(s, poll, at, down) };
};

describe('the fleet bench batch encoder', () => {
  it('writes exactly the bytes encodeMessage writes, for any school, poll, time and devices down', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1999 }), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.integer({ min: 0, max: 3 }), (i, poll, at, nDown) => {
        const down = new Set(switchesOf(school(i)).slice(0, nDown));
        const batch = batchOf(i, poll, at, down);
        expect(encodeBatch(batch).equals(encodeMessage(batch))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('reuses a school\'s prefixes across polls and still writes each poll\'s own values', () => {
    const s = school(6);
    const first = { v: WIRE_VERSION, agent: s.agent, site: s.site, seq: 1, sentAt: 1, samples: pollSamples(s, 1, 1_000) } as SamplesBatch;
    const second = { v: WIRE_VERSION, agent: s.agent, site: s.site, seq: 2, sentAt: 2, samples: pollSamples(s, 2, 61_000) } as SamplesBatch;
    expect(encodeBatch(first).equals(encodeMessage(first))).toBe(true);
    expect(encodeBatch(second).equals(encodeMessage(second))).toBe(true);
    expect(encodeBatch(second).equals(encodeBatch(first))).toBe(false);
  });

  it('writes a sample of another shape whole (keys in another order, no time)', () => {
    const s = school(0);
    const samples = [{ tags: { device: 'router', role: 'internet' }, measurement: 'ping', fields: { up: 1 } }, ...pollSamples(s, 0, 5)] as SamplesBatch['samples'];
    const batch = { v: WIRE_VERSION, agent: s.agent, site: s.site, seq: 0, sentAt: 5, samples } as SamplesBatch;
    expect(encodeBatch(batch).equals(encodeMessage(batch))).toBe(true);
  });

  it('is a batch the contract accepts', () => {
    const batch = batchOf(3, 4, Date.now(), new Set(['switch-2']));
    expect(decodeMessage(samplesBatchSchema, encodeBatch(batch)).ok).toBe(true);
  });
});
