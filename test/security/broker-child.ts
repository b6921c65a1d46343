/**
 * The embedded broker in a process of its own (three agents at two sites, see startTestBroker), so its RSS is
 * its own and a crash is a dead process: `node --expose-gc --import tsx broker-child.ts '<overrides JSON>'`.
 * Reports `{ ready, port, creds }` over IPC; answers any message with `{ rss, heapUsed, stats, published }`
 * after collecting garbage.
 */
import { startTestBroker } from '../../collector/broker/testing.ts';

if (!process.send) throw new Error('usage: fork(broker-child.ts)');
const overrides = JSON.parse(process.argv[2] ?? '{}') as Parameters<typeof startTestBroker>[0];
const t = await startTestBroker(overrides);
// Keep the log lines out of memory: the test process reads counters, not lines.
setInterval(() => t.logLines.splice(0), 1_000).unref();
let published = 0;
t.hook.onPublish = async () => {
  published++;
  t.published.length = 0;
};

process.on('message', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) gc?.();
  const m = process.memoryUsage();
  process.send?.({ rss: m.rss, heapUsed: m.heapUsed, stats: { ...t.broker.stats, ...t.broker.connections() }, published });
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true, port: t.broker.port, creds: t.creds });
