import { createServer, connect, type Server, type Socket } from 'node:net';
import { freeTcpPort } from '../harness/index.ts';

/**
 * The school's broadband line, in the test's own process: a TCP relay on loopback between the agent and
 * the broker. `cut()` drops every connection and refuses new ones (as a dead line does, seen from the
 * agent); `restore()` lets the agent through again. The broker and collector keep running.
 */
export interface Line {
  readonly port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startLine(target: number): Promise<Line> {
  const port = await freeTcpPort();
  const open = new Set<Socket>();
  let up = true;
  const server: Server = createServer((client) => {
    if (!up) {
      client.destroy();
      return;
    }
    const upstream = connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        open.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    cut() {
      up = false;
      for (const s of open) s.destroy();
    },
    restore() {
      up = true;
    },
    async close() {
      up = false;
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
