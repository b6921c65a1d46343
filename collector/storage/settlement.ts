/** A write taken off the queue: its points end at `end` in the running total of points taken. */
export interface WriteTicket {
  readonly end: number;
  done: boolean;
}

/**
 * The writer's bookkeeping in running totals of points: queued ever, taken into writes, and settled
 * (written, or refused by InfluxDB). Writes may finish out of order when several are in flight; a point
 * counts as settled only once every write taken before it has finished too, so flush() never resolves
 * while something queued before it is still on its way. Pure: no I/O, no clock.
 */
export function createSettlement(maxPendingPoints: number) {
  let enqueued = 0;
  let taken = 0;
  let settled = 0;
  let abandoned: Error | undefined;
  const inFlight: WriteTicket[] = [];
  const flushWaiters: { target: number; resolve: () => void; reject: (err: Error) => void }[] = [];
  let roomWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];

  function release(): void {
    for (let i = 0; i < flushWaiters.length; ) {
      if (flushWaiters[i]!.target <= settled) flushWaiters.splice(i, 1)[0]!.resolve();
      else i++;
    }
    if (enqueued - settled <= maxPendingPoints && roomWaiters.length > 0) {
      const waiters = roomWaiters;
      roomWaiters = [];
      for (const waiter of waiters) waiter.resolve();
    }
  }

  return {
    enqueued: () => enqueued,
    taken: () => taken,
    /** Queued and not settled, in flight included. */
    pending: () => enqueued - settled,
    inFlight: () => inFlight.length,

    enqueue(points: number): void {
      enqueued += points;
    },

    begin(points: number): WriteTicket {
      taken += points;
      const ticket = { end: taken, done: false };
      inFlight.push(ticket);
      return ticket;
    },

    end(ticket: WriteTicket): void {
      ticket.done = true;
      while (inFlight[0]?.done) settled = inFlight.shift()!.end;
      release();
    },

    /** Resolves once every point up to `target` (a value of enqueued()) is settled. */
    whenSettled(target: number): Promise<void> {
      if (settled >= target) return Promise.resolve();
      if (abandoned) return Promise.reject(abandoned);
      return new Promise((resolve, reject) => flushWaiters.push({ target, resolve, reject }));
    },

    /** Undefined while pending ≤ maxPendingPoints; else a promise resolved once it is. */
    room(): Promise<void> | undefined {
      if (enqueued - settled <= maxPendingPoints || abandoned) return undefined;
      return new Promise((resolve, reject) => roomWaiters.push({ resolve, reject }));
    },

    /** The writer stopped: whoever still waits is told why. */
    abandon(err: Error): void {
      abandoned = err;
      for (const waiter of [...flushWaiters.splice(0), ...roomWaiters.splice(0)]) waiter.reject(err);
    },
  };
}

export type Settlement = ReturnType<typeof createSettlement>;
