import { chmodSync, chownSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freeUdpPort } from './ports.ts';
import { startService, waitFor, type ServiceProcess } from './process.ts';
import { snmpAnswers } from './snmpget.ts';
import { recordingPath } from './snmprec.ts';
import { makeTempDir } from './temp.ts';
import { isRoot, nobody } from './users.ts';

export interface SnmpsimOptions {
  /** Recordings from ../shared/snmprec, by name without `.snmprec`; each name is its community. */
  recordings: readonly string[];
  /**
   * More data files: community (may contain "/" for snmpsim's per-transport files) -> snmprec text, e.g.
   * `1.3.6.1.2.1.31.1.1.1.6.1|70:numeric|initial=39857997,rate=1331560` for a counter that moves.
   */
  extraFiles?: Readonly<Record<string, string>>;
  /** snmpsimd logs every request; turn off for load tests where the logging costs CPU. */
  requestLog?: boolean;
  readyTimeoutMs?: number;
}

export interface SnmpsimServer {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  readonly dataDir: string;
  stop(): Promise<void>;
}

const COMMUNITY = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/** snmpsimd (Debian snmpsim 0.4.5) serving recordings on 127.0.0.1:<free udp port>, SNMPv1/v2c. */
export async function startSnmpsim(options: SnmpsimOptions): Promise<SnmpsimServer> {
  const extra = Object.entries(options.extraFiles ?? {});
  const communities = [...options.recordings, ...extra.map(([name]) => name)];
  const first = communities[0];
  if (first === undefined) throw new Error('startSnmpsim: give at least one recording or extra file');
  for (const name of communities) {
    if (!COMMUNITY.test(name)) throw new Error(`startSnmpsim: data file name ${JSON.stringify(name)} is not a valid community`);
  }

  const temp = makeTempDir('snmpsim');
  let service: ServiceProcess | undefined;
  try {
    const dataDir = join(temp.path, 'data');
    const cacheDir = join(temp.path, 'cache');
    mkdirSync(dataDir);
    mkdirSync(cacheDir);
    for (const name of options.recordings) copyFileSync(recordingPath(name), join(dataDir, `${name}.snmprec`));
    for (const [name, text] of extra) {
      const file = join(dataDir, `${name}.snmprec`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
    }

    // snmpsimd refuses root. Running it as nobody from exec on (rather than letting it setuid itself)
    // keeps the parent-death signal, which a credential change would clear. mkdtemp made the dir 0700.
    const user = isRoot() ? nobody() : undefined;
    if (user) {
      chmodSync(temp.path, 0o755);
      chownSync(cacheDir, user.uid, user.gid);
    }

    const host = '127.0.0.1';
    const port = await freeUdpPort(host);
    const args = [
      `--data-dir=${dataDir}`,
      `--cache-dir=${cacheDir}`,
      `--agent-udpv4-endpoint=${host}:${port}`,
      ...(user ? [`--process-user=${user.user}`, `--process-group=${user.group}`] : []),
      ...(options.requestLog === false ? ['--logging-method=null'] : []),
    ];
    service = await startService({
      name: 'snmpsimd',
      command: 'snmpsimd',
      args,
      dir: temp.path,
      ...(user ? { user: { uid: user.uid, gid: user.gid } } : {}),
      ready: () => snmpAnswers({ host, port, community: first }, '1.3.6.1.2.1.1.1.0', 200),
      readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
      readyWhat: `snmpsimd at ${host}:${port} to answer community ${first}`,
    });

    // snmpsimd indexes a data file on its first request; do that now so tests' first polls are not slow.
    const started = service;
    await Promise.all(
      communities.slice(1).map((community) =>
        waitFor(() => snmpAnswers({ host, port, community }, '1.3.6.1.2.1.1.1.0', 2_000), {
          timeoutMs: 30_000,
          what: `snmpsimd at ${host}:${port} to answer community ${community}`,
          service: started,
        }),
      ),
    );

    return {
      host,
      port,
      pid: started.pid,
      dataDir,
      async stop() {
        await started.stop();
        await temp.remove();
      },
    };
  } catch (error) {
    await service?.stop();
    await temp.remove();
    throw error;
  }
}
