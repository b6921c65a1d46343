import { createServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../contract/index.ts';
import { makeTempDir, waitFor, type TempDir } from '../../test/harness/index.ts';
import { systemClock } from '../../contract/clock.ts';
import { Link } from './link.ts';

let dir: TempDir | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  dir?.remove();
});

describe('Link.close', () => {
  it('does not hang when the broker stops acknowledging while the agent says goodbye', async () => {
    // A broker that takes the connection but never acknowledges a publish: like one that died mid-way.
    const aedes = await Aedes.createBroker({ authorizePublish: () => undefined });
    const server = createServer(aedes.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(async () => {
      server.close();
      await new Promise<void>((r) => aedes.close(() => r()));
    });
    dir = makeTempDir('link');
    const link = new Link({
      url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`,
      agent: 'west-1',
      site: 'west',
      username: 'west-1',
      password: 'x',
      version: 'test',
      startedAt: Date.now(),
      clock: systemClock,
      log: createLogger('test', 'silent'),
      onConfig: () => {},
      configRevision: () => undefined,
    });
    await waitFor(() => link.connected, { timeoutMs: 5_000, what: 'connection' });
    const started = performance.now();
    await link.close(500);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(link.connected).toBe(false);
  });
});
