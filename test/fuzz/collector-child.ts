/**
 * The collector in a process of its own, so its RSS is its own: `node --expose-gc --import tsx
 * collector-child.ts <collector.yaml>`, driven over the IPC channel of child_process.fork.
 */
import { createLogger } from '../../contract/index.ts';
import { loadCollectorConfig } from '../../collector/config/load.ts';
import { startCollector } from '../../collector/run.ts';

export type ChildRequest = { id: number; op: 'stats' | 'gc' | 'flush' | 'stop' };
export interface ChildStats {
  ingest: ReturnType<Awaited<ReturnType<typeof startCollector>>['ingest']['stats']>;
  broker: Record<string, number>;
  rss: number;
  heapUsed: number;
}
export type ChildReply = { id: number; ok: true; stats: ChildStats } | { id: number; ok: false; error: string };
export type ChildReady = { ready: true; port: number };

const send = (message: ChildReply | ChildReady): void => {
  process.send?.(message);
};

const configFile = process.argv[2];
if (!configFile || !process.send) throw new Error('usage: fork(collector-child.ts, [collector.yaml])');
const config = loadCollectorConfig(configFile);
const collector = await startCollector(config, createLogger('collector', config.logLevel));
await collector.storageReady;

const snapshot = (): ChildStats => {
  const memory = process.memoryUsage();
  return { ingest: collector.ingest.stats(), broker: { ...collector.broker.stats }, rss: memory.rss, heapUsed: memory.heapUsed };
};

async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('start the child with --expose-gc');
  // Several rounds with turns of the event loop between them, so finalisers and freed buffers go too.
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

process.on('message', (request: ChildRequest) => {
  const run = async (): Promise<void> => {
    if (request.op === 'gc') await collectGarbage();
    if (request.op === 'flush') await collector.writer.flush();
    if (request.op === 'stop') await collector.stop();
  };
  run().then(
    () => {
      send({ id: request.id, ok: true, stats: snapshot() });
      if (request.op === 'stop') process.disconnect();
    },
    (err: Error) => send({ id: request.id, ok: false, error: err.message }),
  );
});
// The test process is gone: do not outlive it.
process.on('disconnect', () => process.exit(0));
send({ ready: true, port: collector.broker.port ?? 0 });
