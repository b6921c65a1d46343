import { createConnection } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeTcpPort, startService, type ServiceProcess, type TempDir } from '../../test/harness/index.ts';

/** A throwaway Mosquitto on 127.0.0.1 that accepts any client: the agent needs a broker to publish to. */
export async function startMosquitto(dir: TempDir): Promise<{ url: string; service: ServiceProcess }> {
  const port = await freeTcpPort('127.0.0.1');
  const conf = join(dir.path, 'mosquitto.conf');
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest stdout', 'log_type error', ''].join('\n'));
  const service = await startService({
    name: 'mosquitto',
    command: 'mosquitto',
    args: ['-c', conf],
    dir: dir.path,
    ready: () =>
      new Promise<boolean>((resolve) => {
        const socket = createConnection({ host: '127.0.0.1', port }, () => {
          socket.end();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      }),
    readyTimeoutMs: 10_000,
    readyWhat: `mosquitto on 127.0.0.1:${port}`,
  });
  return { url: `mqtt://127.0.0.1:${port}`, service };
}
