/**
 * The acknowledgement endpoint in a process of its own, as the collector runs it, so a request that ends
 * the process is seen as such: `node --import tsx http-child.ts`; reports `{ port }` over IPC, answers
 * `{ rss }` to any message.
 */
import { createLogger } from '../../contract/index.ts';
import { ackLinks } from '../../collector/notify/ack/link.ts';
import { startAckServer } from '../../collector/notify/ack/server.ts';

if (!process.send) throw new Error('usage: fork(http-child.ts)');
export const API_TOKEN = 'http-child-api-token-0123456789abcdef';
const links = ackLinks({ publicUrl: 'http://127.0.0.1/', secret: 's'.repeat(48), lifetimeMs: 3_600_000, now: Date.now });
const server = await startAckServer({
  host: '127.0.0.1',
  port: 0,
  links,
  apiToken: API_TOKEN,
  log: createLogger('http-child', 'fatal'),
  // A handler that fails for some alerts, so the fuzz also meets the 500 path.
  acknowledge: async (id) => {
    if (id.includes('x')) throw new Error('database is locked');
    return 'unknown';
  },
  describe: async () => undefined,
});
process.on('message', () => process.send?.({ rss: process.memoryUsage().rss }));
process.on('disconnect', () => process.exit(0));
process.send({ port: server.port });
