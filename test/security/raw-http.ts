import { fork, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./http-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Starts http-child.ts; resolves with the process and its port. */
export async function startHttpChild(): Promise<{ child: ChildProcess; port: number; exited: () => boolean; rss: () => Promise<number> }> {
  const child = fork(CHILD, [], { cwd: REPO, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let gone = false;
  child.on('exit', () => (gone = true));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`http child exited with ${code} before listening`)));
  });
  return {
    child,
    port,
    exited: () => gone,
    rss: () =>
      new Promise<number>((resolve) => {
        child.once('message', (m: { rss: number }) => resolve(m.rss));
        child.send('rss');
      }),
  };
}

/**
 * Sends raw bytes over TCP and resolves with the status code of the first answer, or null when the server
 * closed the connection without one (or did not answer within `ms`).
 */
export function rawRequest(port: number, bytes: Buffer | string, ms = 5_000): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let head = '';
    const done = (status: number | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(status);
    };
    const timer = setTimeout(() => done(null), ms);
    socket.on('error', () => done(null));
    socket.on('close', () => done(parse(head)));
    socket.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      const status = parse(head);
      if (status !== null) done(status);
    });
    socket.write(bytes);
  });
}

function parse(head: string): number | null {
  const m = /^HTTP\/1\.[01] (\d{3}) /.exec(head);
  return m ? Number(m[1]) : null;
}
