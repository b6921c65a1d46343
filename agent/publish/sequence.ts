import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The agent's batch sequence number, kept on disk so it keeps growing across restarts: the collector
 * counts a jump as missing batches, so a reset would look like data loss (or hide it).
 */
export class SequenceFile {
  private next: number;
  private readonly file: string;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, 'sequence');
    this.next = SequenceFile.read(this.file);
  }

  private static read(file: string): number {
    let text: string;
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${file}: expected a non-negative integer, got "${text}"`);
    return n;
  }

  /** Returns the next number and makes it durable before it is used (write + rename is atomic). */
  take(): number {
    const seq = this.next;
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, String(seq + 1));
    renameSync(tmp, this.file);
    this.next = seq + 1;
    return seq;
  }

  peek(): number {
    return this.next;
  }
}
