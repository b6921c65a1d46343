/**
 * Writes in flight: three, so that influxd always has a write to parse beside the one in its WAL's fsync and
 * the one on its way. With two, influxd used 1.37 (run 14) and 1.07 (run 15 preparation) of its 2 cores in a
 * region's drain, while the raw reference it is compared with has two writers of its own beside the
 * collector's live writes (docs/sizing.md, "Drain, run 15 preparation"). Live chunks still go first in every write.
 */
export const DEFAULT_WRITES_IN_FLIGHT = 3;

/**
 * The backlog's bound: enough to keep every write slot full with whole writes to spare (3 × 5,000 in flight,
 * 35,000 ready, and one decoded batch per replaying agent waiting for room behind it), not an hour's
 * spool in memory. At 200,000 the collector's peak RSS passed 600 MiB in the 1,000-school drain (run 14,
 * heap used 301 MiB, write-ahead log 52 MiB); at 50,000 a 300-school drain peaked at 64,065 pending points,
 * a 14.5 MiB log and 191 MiB of heap (227 MiB before).
 */
export const DEFAULT_MAX_PENDING_POINTS = 50_000;

/** What the writer knows when it decides whether to send another write now. */
export interface WriteScheduleState {
  /** Points queued and not yet taken into a write. */
  queued: number;
  /** Points per write (the batch size, or less after InfluxDB found a write too large). */
  limit: number;
  /** Writes sent and not yet answered. */
  inFlight: number;
  maxInFlight: number;
  /** Some queued points are due now: the flush interval passed, flush() or stop() asked, or a write just came back. */
  due: boolean;
  /** Writes are failing: one at a time, so a recovering InfluxDB is not hit by several. */
  outage: boolean;
}

/**
 * Whether to send a write now, and so how queued points are coalesced into requests. InfluxDB 1.x pays per
 * request (parsing, a WAL fsync, an HTTP answer), and its documentation recommends batches of 5,000–10,000
 * points ("Write data with the InfluxDB API", optimal batch size); so:
 * - a full batch goes as soon as a write slot is free: a backlog (a region's schools replaying their spools)
 *   keeps maxInFlight full writes on their way, InfluxDB parsing one while the next arrives;
 * - a partial batch goes only when it is due and nothing is in flight. While a write is on its way the
 *   points arriving meanwhile join the next one, so a slow InfluxDB gets fewer, larger requests (batches
 *   grow with its answer time, as Nagle's algorithm grows segments with the round trip; RFC 896) instead of
 *   a full write plus a timer's fragment beside it.
 * Pure: the writer calls it in a loop, taking a batch each time it answers true.
 */
export function shouldWrite(s: WriteScheduleState): boolean {
  if (s.queued <= 0 || s.inFlight >= s.maxInFlight) return false;
  if (s.outage && s.inFlight > 0) return false;
  if (s.queued >= s.limit) return true;
  return s.due && s.inFlight === 0;
}
