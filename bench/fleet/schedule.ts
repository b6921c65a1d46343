/**
 * How the simulated fleet is laid out over the bench's agents' processes and over the minute. Real agents are
 * neither in one process nor synchronised: each school polls on its own clock, started whenever its box
 * booted. So each school gets a stable offset into the poll interval, and the schools are cut into K consecutive
 * slices, one per process, so each process holds the same mix of primaries and secondaries (schools.ts: three
 * in ten are secondaries, by index) and the same share of the work. Pure: the bench and its tests derive both.
 */

/** 1/φ: the fractional parts of i/φ spread any run of consecutive i evenly over [0, 1) (Weyl/golden-ratio sequence). */
const INVERSE_PHI = (Math.sqrt(5) - 1) / 2;

/** School `index`'s offset into a poll interval spread over `spreadMs`: stable across polls and runs, in [0, spreadMs). */
export function pollOffsetMs(index: number, spreadMs: number): number {
  const f = ((index + 1) * INVERSE_PHI) % 1;
  return Math.min(spreadMs - 1, Math.floor(f * spreadMs));
}

/**
 * The school indices of each of `k` processes: `indices` cut into k consecutive runs whose lengths differ by
 * at most one. Consecutive runs keep the fleet's mix (three secondaries in every ten consecutive schools),
 * where dealing i mod k would not (i mod 4 and i mod 10 beat: one process would get a third fewer secondaries).
 */
export function slices(indices: readonly number[], k: number): number[][] {
  const n = Math.max(1, Math.floor(k));
  const out: number[][] = [];
  for (let p = 0; p < n; p++) out.push(indices.slice(Math.floor((p * indices.length) / n), Math.floor(((p + 1) * indices.length) / n)));
  return out;
}

/**
 * Agents' processes by fleet size: one Node process carries ~250 simulated schools with room to spare
 * (docs/sizing.md run 9 measured what one costs), so 4 from 500 schools, 2 from 100.
 */
export function defaultAgentProcesses(schools: number): number {
  if (schools >= 500) return 4;
  if (schools >= 100) return 2;
  return 1;
}
