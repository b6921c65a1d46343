/**
 * A stand-in for the collector's notify stage in its own process, for test/notify/dispatcher-kill.test.ts:
 * opens the outbox, enqueues the same COUNT deliveries a restarted pipeline would enqueue again, and sends
 * with real time and short backoff until killed.
 * Usage: dispatcher-process.ts <outbox file> <smtp port> <count>
 */
import { createLogger } from '../../contract/index.ts';
import { createChannel } from '../../collector/notify/channels/index.ts';
import { sampleNotification, sampleRecipient } from '../../collector/notify/testing/fixtures.ts';
import { OutboxDispatcher } from '../../collector/notify/dispatcher.ts';

const [file, port, count] = process.argv.slice(2);
const log = createLogger('notify-test', 'info', process.stdout);
const channel = createChannel(
  { id: 'mail', type: 'email', timeoutSeconds: 10 },
  { smtp: { host: '127.0.0.1', port: Number(port), secure: false, from: 'noc@provider.example', allowSelfSigned: false }, log },
);
const dispatcher = new OutboxDispatcher({ file: file!, channels: new Map([['mail', channel]]), log, retry: { initialMs: 100, maxMs: 400, giveUpAfterMs: 600_000 } });
dispatcher.enqueue(
  Array.from({ length: Number(count) }, (_, i) => ({
    notification: sampleNotification({ id: `n-${i}`, alertId: `north-primary/device-${i}`, title: `Device ${i} is down` }),
    channel: 'mail',
    to: sampleRecipient,
  })),
);
dispatcher.start();
log.info('dispatcher running');
// Once everything is delivered nothing else keeps the loop alive; a collector runs until stopped, so does this.
const alive = setInterval(() => undefined, 60_000);
const stop = () => void dispatcher.close().then(() => channel.close()).then(() => (clearInterval(alive), process.exit(0)));
process.once('SIGTERM', stop);
