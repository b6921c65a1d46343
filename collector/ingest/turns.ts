/**
 * Hands out event-loop turns one at a time, fairly between agents: each waiter resolves in a turn of its own,
 * with a pass through the loop's I/O phase before the next. Messages arrive in bursts (dozens in one read of
 * the sockets), and each takes milliseconds to decode; handled back to back they would hold up the writer's
 * HTTP answers, and InfluxDB would sit idle meanwhile.
 *
 * Fair: every agent has its own queue, served round robin, one message a visit, with deficit round robin's
 * byte credit (Shreedhar & Varghese, "Efficient fair queuing using deficit round robin", SIGCOMM 1995): a
 * message larger than the agent's credit waits for more rounds. So a well-behaved agent's message waits behind
 * at most one message of each other busy agent, however many they have queued, and a flooder waits only
 * behind itself. Decoding costs time in proportion to
 * bytes, so counting bytes (not messages) also keeps a flood of huge batches from taking more than its share.
 */
export interface Turns {
  /** Resolves when `key`'s message of `cost` bytes may be handled (in a turn of its own). Without a key: one shared queue. */
  (key?: string, cost?: number): Promise<void>;
  /** Messages waiting now, over all keys (for tests and stats). */
  waiting(): number;
}

/**
 * Bytes an agent may be served per round: a typical batch (a few KiB to tens of KiB) fits, so a well-behaved
 * agent is served on its first visit; a 4 MiB batch takes several rounds while others are waiting.
 */
export const DEFAULT_QUANTUM = 64 * 1024;

interface Queue {
  items: Array<{ cost: number; resolve: () => void }>;
  credit: number;
}

export function createTurns(quantum = DEFAULT_QUANTUM): Turns {
  /** Keys with waiters, in round order: the first is served next (a Map keeps insertion order). */
  const queues = new Map<string, Queue>();
  let count = 0;
  let scheduled = false;

  /**
   * The next waiter: the first agent in the round is served one message if its credit covers it, and goes to
   * the back of the round either way (so between two of one agent's messages every other waiting agent has a
   * turn); one that cannot pay gets a quantum more. The loop ends: every pass adds a quantum to someone.
   */
  const next = (): (() => void) | undefined => {
    for (;;) {
      const first = queues.entries().next();
      if (first.done) return undefined;
      const [key, q] = first.value;
      queues.delete(key);
      const head = q.items[0]!;
      if (head.cost <= q.credit) {
        q.items.shift();
        q.credit -= head.cost;
        // An emptied queue leaves the round and its credit with it (DRR: no hoarding while idle).
        if (q.items.length > 0) queues.set(key, q);
        return head.resolve;
      }
      q.credit += quantum;
      queues.set(key, q);
    }
  };

  const tick = (): void => {
    scheduled = false;
    // The waiter's continuation runs as a microtask right after this callback; the next turn is an
    // immediate scheduled from inside the check phase, so it runs in the next loop iteration, after I/O.
    const resolve = next();
    if (resolve) {
      count--;
      resolve();
    }
    if (count > 0) {
      scheduled = true;
      setImmediate(tick);
    }
  };

  const turn = ((key = '', cost = 0) =>
    new Promise<void>((resolve) => {
      let q = queues.get(key);
      // A newcomer starts with a quantum: its first (typical) message is served at its first visit.
      if (q === undefined) queues.set(key, (q = { items: [], credit: quantum }));
      q.items.push({ cost: Math.max(0, cost), resolve });
      count++;
      if (!scheduled) {
        scheduled = true;
        setImmediate(tick);
      }
    })) as Turns;
  turn.waiting = () => count;
  return turn;
}
