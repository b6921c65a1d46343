import { round3 } from './proc-stats.ts';

/** One timed run of the ingest scenario (bench/ingest.ts): the reference (raw) or the collector (ours). */
export interface IngestRun {
  kind: 'raw' | 'ours';
  /** Concurrent /write requests: the reference's writers, or the collector's maxWritesInFlight. */
  writers: number;
  round: number;
  database: string;
  points: number;
  seconds: number;
  pointsPerSecond: number;
  /** Ours only: from the first publish until the last PUBACK. */
  ackedSeconds?: number;
  /** Ours only: the collector's peak resident memory (its queue holds what is acknowledged but not written). */
  collectorPeakRssMiB?: number;
  /** CPU seconds spent by each process during the timed part. */
  cpuSeconds: Record<string, number>;
}

export interface RunComparison {
  /** Best run of each kind (highest points/s); `raw` with as many writers as the collector has writes in flight. */
  raw: number;
  ours: number;
  /** ours / raw: the headline. */
  ratio: number;
  /**
   * Median over rounds of ours / raw in the same round. The machine's speed drifts between runs (a shared
   * host); a round's runs follow each other, so this is less exposed to the drift than best against best.
   */
  ratioMedian: number;
  /** The best reference run with `params.rawWriters` writers, and ours over it. */
  rawWide: number;
  ratioWide: number;
}

export function compareRuns(runs: readonly IngestRun[], p: { rounds: number; writesInFlight: number; rawWriters: number }): RunComparison {
  const pick = (kind: IngestRun['kind'], writers: number) => runs.filter((r) => r.kind === kind && r.writers === writers);
  const best = (kind: IngestRun['kind'], writers: number) => Math.max(...pick(kind, writers).map((r) => r.pointsPerSecond));
  const [raw, rawWide, ours] = [best('raw', p.writesInFlight), best('raw', p.rawWriters), best('ours', p.writesInFlight)];
  const ratio = (of: number, reference: number) => round3(of / reference);
  const perRound: number[] = [];
  for (let round = 1; round <= p.rounds; round++) {
    const [r, o] = [pick('raw', p.writesInFlight), pick('ours', p.writesInFlight)].map((list) => list.find((run) => run.round === round));
    if (r && o) perRound.push(ratio(o.pointsPerSecond, r.pointsPerSecond));
  }
  perRound.sort((a, b) => a - b);
  const middle = perRound.length >> 1;
  const ratioMedian = perRound.length % 2 ? perRound[middle]! : round3((perRound[middle - 1]! + perRound[middle]!) / 2);
  return { raw, ours, ratio: ratio(ours, raw), ratioMedian, rawWide, ratioWide: ratio(ours, rawWide) };
}
