/**
 * Hands out event-loop turns one at a time: each waiter resolves in a turn of its own, with a pass through
 * the loop's I/O phase before the next. Messages arrive in bursts (dozens in one read of the sockets), and
 * each takes milliseconds to decode; handled back to back they would hold up the writer's HTTP answers, and
 * InfluxDB would sit idle meanwhile.
 */
export function createTurns(): () => Promise<void> {
  const waiting: (() => void)[] = [];
  let scheduled = false;
  const tick = (): void => {
    scheduled = false;
    // The waiter's continuation runs as a microtask right after this callback; the next turn is an
    // immediate scheduled from inside the check phase, so it runs in the next loop iteration, after I/O.
    waiting.shift()?.();
    if (waiting.length > 0) {
      scheduled = true;
      setImmediate(tick);
    }
  };
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (!scheduled) {
        scheduled = true;
        setImmediate(tick);
      }
    });
}
