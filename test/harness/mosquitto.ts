import { existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freeTcpPort } from './ports.ts';
import { startService, type ServiceProcess } from './process.ts';
import { makeTempDir } from './temp.ts';

export interface MosquittoOptions {
  /**
   * Config lines (Mosquitto 2.0 syntax) without the listener: the harness adds `listener <port> 127.0.0.1`,
   * persistence in its temp dir, `user root` and logging. `{dir}` in a line is replaced by the temp dir.
   */
  config: readonly string[];
  /** Files to put in the temp dir before start, by name (e.g. the password and ACL files the config names). */
  files?: Record<string, string>;
  /** A port chosen beforehand (freeTcpPort), when clients' configs must name it first; default a free one. */
  port?: number;
}

export interface MosquittoServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  readonly pid: number;
  logTail(lines?: number): string;
  /** Rewrites files in the temp dir and sends SIGHUP, which makes Mosquitto re-read password and ACL files. */
  reload(files: Record<string, string>): void;
  /** Stops and starts Mosquitto on the same port and dir (its persistence file keeps sessions and retained messages). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Debian installs it in /usr/sbin, which a non-root PATH may lack. */
const MOSQUITTO = existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto';

function acceptsTcp(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** mosquitto (Debian 2.0.11) on a free loopback port, with its config, files and persistence in a temp dir. */
export async function startMosquitto(options: MosquittoOptions): Promise<MosquittoServer> {
  const temp = makeTempDir('mosquitto');
  const dir = temp.path;
  const port = options.port ?? (await freeTcpPort());
  const put = (files: Record<string, string>) => {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text, { mode: 0o600 });
  };
  put(options.files ?? {});
  const conf = join(dir, 'mosquitto.conf');
  const lines = [
    `listener ${port} 127.0.0.1`,
    ...options.config.map((line) => line.replaceAll('{dir}', dir)),
    'persistence true',
    `persistence_location ${dir}/`,
    'log_dest stdout',
    // Started as root, Mosquitto would switch to "mosquitto", which cannot read a 0700 temp dir.
    'user root',
  ];
  writeFileSync(conf, `${lines.join('\n')}\n`);
  const start = () =>
    startService({
      name: 'mosquitto',
      command: MOSQUITTO,
      args: ['-c', conf],
      dir,
      ready: () => acceptsTcp(port),
      readyWhat: `mosquitto to accept TCP on 127.0.0.1:${port}`,
    });
  let service: ServiceProcess | undefined;
  try {
    service = await start();
  } catch (err) {
    await temp.remove();
    throw err;
  }
  const running = (): ServiceProcess => {
    if (!service) throw new Error(`mosquitto on port ${port} is not running`);
    return service;
  };
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    dir,
    get pid() {
      return running().pid;
    },
    logTail: (n) => running().logTail(n),
    reload(files) {
      put(files);
      process.kill(running().pid, 'SIGHUP');
    },
    async restart() {
      await running().stop();
      service = undefined;
      service = await start();
    },
    async stop() {
      await service?.stop();
      service = undefined;
      await temp.remove();
    },
  };
}
