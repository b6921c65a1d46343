import { statfsSync } from 'node:fs';

/** % of the file system holding `dir` in use, as df counts it (blocks reserved for root count as unavailable). */
export function diskUsedPct(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    const used = s.blocks - s.bfree;
    const total = used + s.bavail;
    return total > 0 ? (used / total) * 100 : undefined;
  } catch {
    return undefined;
  }
}
