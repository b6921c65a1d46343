import type { LineChunk } from './line.ts';

/**
 * FIFO of line-protocol chunks (one per accepted message), taken off whole. A large backlog (InfluxDB down
 * for an hour) is not copied when the front is taken: spent slots are cut off now and then, not one by one.
 */
export class ChunkQueue {
  private readonly chunks: LineChunk[] = [];
  private head = 0;
  private count = 0;

  /** Points waiting. */
  get length(): number {
    return this.count;
  }

  push(chunk: LineChunk): void {
    if (chunk.points === 0) return;
    this.chunks.push(chunk);
    this.count += chunk.points;
  }

  /**
   * Removes and returns whole chunks from the front, as many as fit in `limit` points; a single chunk
   * bigger than that comes alone (splitting it costs more than a larger write), unless `strict` (filling the
   * rest of a write that already holds other chunks): then nothing over the limit.
   */
  take(limit: number, strict = false): LineChunk[] {
    const out: LineChunk[] = [];
    let points = 0;
    while (this.head < this.chunks.length) {
      const chunk = this.chunks[this.head]!;
      if ((out.length > 0 || strict) && points + chunk.points > limit) break;
      out.push(chunk);
      points += chunk.points;
      this.head += 1;
      if (points >= limit) break;
    }
    this.count -= points;
    if (this.head >= 1024 || this.head === this.chunks.length) {
      this.chunks.splice(0, this.head);
      this.head = 0;
    }
    return out;
  }
}

/** Points in these chunks. */
export const pointsIn = (chunks: readonly LineChunk[]): number => chunks.reduce((n, c) => n + c.points, 0);

/**
 * Where each line of line-protocol text ends: at a "\n" outside a quoted string field (a string may hold a
 * newline). Follows influxd's own scanLine (models/points.go): a backslash escapes the next byte, and a '"'
 * opens or closes a string only in the field set and only where a value starts (more "=" than "," seen).
 */
export function lineEnds(text: string): number[] {
  const ends: number[] = [];
  let fields = false;
  let quoted = false;
  let equals = 0;
  let commas = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      i++;
      continue;
    }
    if (c === 0x0a /* \n */ && !quoted) {
      ends.push(i);
      fields = false;
      equals = commas = 0;
      continue;
    }
    if (c === 0x20 /* space */) fields = true;
    if (!fields) continue;
    if (!quoted && c === 0x3d /* = */) equals++;
    else if (!quoted && c === 0x2c /* , */) commas++;
    else if (c === 0x22 /* " */ && equals > commas) quoted = !quoted;
  }
  ends.push(text.length);
  return ends;
}

/**
 * Two halves of a write InfluxDB found too large (413): whole chunks when there are several, else the one
 * chunk's lines split in the middle. Undefined for a single line, which cannot be split.
 */
export function halve(chunks: readonly LineChunk[]): [LineChunk[], LineChunk[]] | undefined {
  if (chunks.length > 1) {
    const total = pointsIn(chunks);
    let i = 0;
    for (let points = 0; i < chunks.length - 1 && points + chunks[i]!.points <= total / 2; i++) points += chunks[i]!.points;
    i = Math.max(1, i);
    return [chunks.slice(0, i), chunks.slice(i)];
  }
  const [chunk] = chunks;
  if (chunk === undefined) return undefined;
  const ends = lineEnds(chunk.text);
  if (ends.length < 2) return undefined;
  const middle = Math.ceil(ends.length / 2);
  const cut = ends[middle - 1]!;
  return [[{ text: chunk.text.slice(0, cut), points: middle }], [{ text: chunk.text.slice(cut + 1), points: ends.length - middle }]];
}
