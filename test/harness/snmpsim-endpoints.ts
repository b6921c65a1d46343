import { chmodSync, chownSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeUdpPort } from './ports.ts';
import { startService, waitFor, type ServiceProcess } from './process.ts';
import { snmpAnswers } from './snmpget.ts';
import { recordingPath } from './snmprec.ts';
import { makeTempDir } from './temp.ts';
import { isRoot, nobody } from './users.ts';

/** One simulated device: its loopback address and what it answers (a fixture recording, or snmprec text). */
export interface SnmpsimEndpoint {
  host: string;
  recording?: string;
  text?: string;
}

export interface SnmpsimEndpoints {
  /** One port for every address. */
  readonly port: number;
  readonly community: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * One snmpsimd answering a different device on each loopback address (RIG.md: one endpoint per address,
 * `--v2c-arch`, and per-transport data files: the k-th endpoint is transport 1.3.6.1.6.1.1.k, and snmpsimd
 * looks for `<community>/1.3.6.1.6.1.1.<k>.snmprec` first). Ready once every endpoint answered sysDescr,
 * which also makes snmpsimd index each file before anything is timed.
 */
export async function startSnmpsimEndpoints(endpoints: readonly SnmpsimEndpoint[], o: { readyTimeoutMs?: number } = {}): Promise<SnmpsimEndpoints> {
  const community = 'public';
  const first = endpoints[0];
  if (first === undefined) throw new Error('startSnmpsimEndpoints: give at least one endpoint');
  const temp = makeTempDir('snmpsim-endpoints');
  let sim: ServiceProcess | undefined;
  try {
    const dataDir = join(temp.path, 'data');
    const cacheDir = join(temp.path, 'cache');
    mkdirSync(join(dataDir, community), { recursive: true });
    mkdirSync(cacheDir);
    const place = (e: SnmpsimEndpoint, file: string) => {
      if (e.text !== undefined) writeFileSync(file, e.text);
      else if (e.recording !== undefined) symlinkSync(recordingPath(e.recording), file);
      else throw new Error(`startSnmpsimEndpoints: ${e.host} has neither recording nor text`);
    };
    endpoints.forEach((e, k) => place(e, join(dataDir, community, `1.3.6.1.6.1.1.${k}.snmprec`)));
    // snmpsimd needs a file for the bare community too, to accept it at all.
    place(first, join(dataDir, `${community}.snmprec`));
    const port = await freeUdpPort('127.0.0.1');
    const argsFile = join(temp.path, 'endpoints.txt');
    writeFileSync(argsFile, `${endpoints.map((e) => `--agent-udpv4-endpoint=${e.host}:${port}`).join('\n')}\n`);
    const user = isRoot() ? nobody() : undefined;
    if (user) {
      chmodSync(temp.path, 0o755);
      chownSync(cacheDir, user.uid, user.gid);
    }
    const readyTimeoutMs = o.readyTimeoutMs ?? 120_000;
    const started = await startService({
      name: 'snmpsimd',
      command: 'snmpsimd',
      args: [
        `--data-dir=${dataDir}`,
        `--cache-dir=${cacheDir}`,
        '--v2c-arch',
        `--args-from-file=${argsFile}`,
        '--logging-method=null',
        ...(user ? [`--process-user=${user.user}`, `--process-group=${user.group}`] : []),
      ],
      dir: temp.path,
      ...(user ? { user: { uid: user.uid, gid: user.gid } } : {}),
      ready: () => snmpAnswers({ host: first.host, port, community }, '1.3.6.1.2.1.1.1.0', 500),
      readyTimeoutMs,
      readyWhat: `snmpsimd with ${endpoints.length} endpoints`,
    });
    sim = started;
    await Promise.all(
      endpoints.map((e) =>
        waitFor(() => snmpAnswers({ host: e.host, port, community }, '1.3.6.1.2.1.1.1.0', 3_000), { timeoutMs: readyTimeoutMs, what: `snmpsimd at ${e.host}:${port}`, service: started }),
      ),
    );
    return {
      port,
      community,
      pid: started.pid,
      async stop() {
        await started.stop();
        await temp.remove();
      },
    };
  } catch (error) {
    await sim?.stop();
    await temp.remove();
    throw error;
  }
}
