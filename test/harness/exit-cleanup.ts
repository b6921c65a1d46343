/**
 * Last-resort cleanup when the test process ends without running its afterAll hooks (a crash, an
 * uncaught error, Ctrl-C). Handlers must be synchronous: on 'exit' the event loop is already gone.
 */
type Cleanup = () => void;

const cleanups = new Set<Cleanup>();
let installed = false;

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function runAll(): void {
  for (const cleanup of [...cleanups]) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // Best effort: one failed cleanup must not stop the others.
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  // A listener suppresses Node's default "die on signal"; if nobody else handles it, die as Node would.
  process.removeListener(signal, onSignal);
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

/** Runs `cleanup` (synchronously) if the process ends before the returned function is called. */
export function onExitCleanup(cleanup: Cleanup): () => void {
  install();
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}
