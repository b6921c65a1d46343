/**
 * Which of the writer's two queues a chunk of points joins. `live`: data the schools are producing now, which
 * dashboards and alerts read; `backlog`: data that is old when it arrives (an agent's spool replayed after an
 * outage, the write-ahead log's replay at start). Live is never queued behind backlog (see influx-writer.ts):
 * a region's hour of spooled data takes minutes to drain, and the other schools' fresh polls must not wait for it.
 */
export type Lane = 'live' | 'backlog';

export const LANES: readonly Lane[] = ['live', 'backlog'];

/** A batch whose newest time is more than this far behind the collector's clock is backlog (default 2 minutes). */
export const DEFAULT_BACKLOG_AGE_MS = 120_000;

/**
 * The lane of a batch, from the batch itself: its age is the collector's clock minus the newest of its sample
 * times and its `sentAt` (the agent's clock when the batch was first made; a spool replay sends the same bytes,
 * so an hour-old batch keeps its hour-old `sentAt`). Taking the newest of both means a slow poll (samples
 * measured at its start, sent 40 s later) still counts from when it was sent, and an agent whose clock runs
 * ahead only looks fresher (its data is screened against maxClockSkew elsewhere). An agent whose clock runs
 * behind by more than `backlogAgeMs` lands in the backlog lane: still stored, only not ahead of a drain.
 * Exactly `backlogAgeMs` old is still live. Pure.
 */
export function batchLane(batch: { sentAt: number; samples: readonly { time: number }[] }, now: number, backlogAgeMs = DEFAULT_BACKLOG_AGE_MS): Lane {
  let newest = batch.sentAt;
  for (const s of batch.samples) if (s.time > newest) newest = s.time;
  return now - newest > backlogAgeMs ? 'backlog' : 'live';
}
