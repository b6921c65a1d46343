import { describe, expect, it } from 'vitest';
import { ChunkQueue, halve, lineEnds } from './chunk-queue.ts';
import { toChunk, type LineChunk } from './line.ts';

const chunk = (name: string, points: number): LineChunk => ({ text: name, points });
const names = (chunks: LineChunk[]) => chunks.map((c) => c.text);

describe('ChunkQueue', () => {
  it('takes whole chunks in order up to the limit, a bigger one alone', () => {
    const queue = new ChunkQueue();
    for (const [name, n] of [['a', 300], ['b', 300], ['c', 300], ['d', 2_000], ['e', 100]] as const) queue.push(chunk(name, n));
    queue.push(chunk('empty', 0));
    expect(queue.length).toBe(3_000);
    expect(names(queue.take(1_000))).toEqual(['a', 'b', 'c']);
    expect(names(queue.take(1_000))).toEqual(['d']);
    expect(queue.length).toBe(100);
    expect(names(queue.take(1_000))).toEqual(['e']);
    expect(queue.take(1_000)).toEqual([]);
    queue.push(chunk('f', 1));
    expect(names(queue.take(1))).toEqual(['f']);
  });
});

describe('lineEnds', () => {
  it('ends lines at "\\n" but not inside a quoted string, nor at an escaped quote', () => {
    const text = toChunk(
      [
        { measurement: 'm', tags: { t: 'a"b' }, fields: { s: 'one\ntwo "q" \\', n: 1 }, time: 1 },
        { measurement: 'm', tags: {}, fields: { s: '"\n"' }, time: 2 },
        { measurement: 'm', tags: {}, fields: { v: 3 }, time: 3 },
      ],
      's1',
    ).text;
    const ends = lineEnds(text);
    expect(ends).toHaveLength(3);
    expect(text.slice(ends[0]! + 1, ends[1])).toBe('m,site=s1 s="\\"\n\\"" 2');
    expect(text.slice(ends[1]! + 1)).toBe('m,site=s1 v=3 3');
  });
});

describe('halve', () => {
  it('splits several chunks by whole chunks, near the middle of the points', () => {
    const [first, second] = halve([chunk('a', 100), chunk('b', 100), chunk('c', 300)])!;
    expect([names(first), names(second)]).toEqual([['a', 'b'], ['c']]);
    expect(names(halve([chunk('a', 900), chunk('b', 100)])![0])).toEqual(['a']);
  });

  it('splits one chunk by its lines, and cannot split a single line', () => {
    const points = [1, 2, 3].map((time) => ({ measurement: 'm', tags: {}, fields: { s: `x\ny${time}` }, time }));
    const [first, second] = halve([toChunk(points, 's1')])!;
    expect(first).toEqual([toChunk(points.slice(0, 2), 's1')]);
    expect(second).toEqual([toChunk(points.slice(2), 's1')]);
    expect(halve(second)).toBeUndefined();
  });
});
