import type { IPoint } from 'influx';
import { describe, expect, it } from 'vitest';
import { PointQueue } from './point-queue.ts';

const points = (from: number, n: number): IPoint[] =>
  Array.from({ length: n }, (_, i) => ({ measurement: 'm', fields: { v: from + i } }));
const values = (ps: IPoint[]) => ps.map((p) => p.fields!['v'] as number);

describe('PointQueue', () => {
  it('hands out batches across chunk boundaries in order, and only drop() removes them', () => {
    const queue = new PointQueue();
    queue.push(points(0, 3));
    queue.push([]);
    queue.push(points(3, 4));
    queue.push(points(7, 1));
    expect(queue.length).toBe(8);
    expect(values(queue.peek(5))).toEqual([0, 1, 2, 3, 4]);
    expect(values(queue.peek(5))).toEqual([0, 1, 2, 3, 4]);
    queue.drop(2);
    expect(values(queue.peek(3))).toEqual([2, 3, 4]);
    queue.drop(3);
    expect(queue.length).toBe(3);
    expect(values(queue.peek(10))).toEqual([5, 6, 7]);
    queue.drop(10);
    expect(queue.length).toBe(0);
    expect(queue.peek(10)).toEqual([]);
    queue.push(points(8, 2));
    expect(values(queue.peek(10))).toEqual([8, 9]);
  });
});
