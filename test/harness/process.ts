import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { onExitCleanup } from './exit-cleanup.ts';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  /** Short name used in the log file name and in errors, e.g. "influxd". */
  name: string;
  command: string;
  args: readonly string[];
  /** The service's temp dir; stdout and stderr go to `<dir>/<name>.log`. */
  dir: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Run as this user from the start (root only), e.g. nobody for daemons that refuse root. */
  user?: { uid: number; gid: number };
}

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  /** Set once the process has exited and been reaped. */
  readonly exitStatus: ExitStatus | undefined;
  readonly exited: Promise<ExitStatus>;
  /** The last lines of the combined stdout/stderr log. */
  logTail(lines?: number): string;
  /** SIGTERM by PID, SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ServiceProcess>();

/** Services started by this process and not yet exited. */
export function runningServices(): readonly ServiceProcess[] {
  return [...running];
}

/** True while a process with this PID exists (signal 0 probes without sending anything). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * setpriv (util-linux) makes the kernel SIGKILL the service if this process dies without cleaning up
 * (e.g. a test worker killed with SIGKILL), so no orphan keeps a port or a GB of RAM. It execs the
 * service, so the PID we hold is the service's own.
 */
const SETPRIV = '/usr/bin/setpriv';
const hasSetpriv = existsSync(SETPRIV);

export function logTailOf(path: string, lines = 40): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } finally {
    closeSync(fd);
  }
}

function describeExit(status: ExitStatus): string {
  return status.signal ? `signal ${status.signal}` : `exit code ${status.code}`;
}

export async function spawnService(options: SpawnOptions): Promise<ServiceProcess> {
  const logPath = join(options.dir, `${options.name}.log`);
  const logFd = openSync(logPath, 'a');
  const [command, args] = hasSetpriv
    ? [SETPRIV, ['--pdeathsig', 'KILL', '--', options.command, ...options.args]]
    : [options.command, [...options.args]];
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: options.cwd ?? options.dir,
      env: options.env ?? process.env,
      stdio: ['ignore', logFd, logFd],
      uid: options.user?.uid,
      gid: options.user?.gid,
    });
  } finally {
    closeSync(logFd);
  }
  if (child.pid === undefined) {
    const error = await new Promise<Error>((resolve) => child.once('error', resolve));
    throw new Error(`${options.name}: cannot start ${options.command}: ${error.message}`);
  }
  const pid = child.pid;

  let exitStatus: ExitStatus | undefined;
  const cancelExitCleanup = onExitCleanup(() => {
    process.kill(pid, 'SIGKILL');
  });
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      exitStatus = { code, signal };
      running.delete(service);
      cancelExitCleanup();
      resolve(exitStatus);
    });
  });

  const service: ServiceProcess = {
    name: options.name,
    pid,
    logPath,
    get exitStatus() {
      return exitStatus;
    },
    exited,
    logTail: (lines?: number) => logTailOf(logPath, lines),
    async stop(graceMs = 5_000) {
      if (exitStatus) return;
      child.kill('SIGTERM');
      const timedOut = await Promise.race([exited.then(() => false), sleep(graceMs).then(() => true)]);
      if (timedOut && !exitStatus) child.kill('SIGKILL');
      await exited;
    },
  };
  running.add(service);
  return service;
}

export interface WaitOptions {
  timeoutMs: number;
  /** What we wait for, for the error message: "influxd /ping to answer 204". */
  what: string;
  intervalMs?: number;
  /** Fail at once, with its log tail, if this service exits while we wait. */
  service?: ServiceProcess;
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}

/**
 * Polls `predicate` until it returns a truthy value (returned) or the time is up. A predicate that throws
 * counts as "not yet"; its last error goes into the timeout message.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  { timeoutMs, what, intervalMs = 25, service }: WaitOptions,
): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    if (service?.exitStatus) {
      throw new Error(
        `${what}: ${service.name} exited (${describeExit(service.exitStatus)}) before it was ready; ` +
          `last lines of ${service.logPath}:\n${service.logTail()}`,
      );
    }
    try {
      const value = await predicate();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (performance.now() >= deadline) {
      const last = lastError === undefined ? '' : `; last error: ${errorText(lastError)}`;
      const tail = service ? `; last lines of ${service.logPath}:\n${service.logTail()}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last}${tail}`);
    }
    await sleep(intervalMs);
  }
}

export interface StartOptions extends SpawnOptions {
  /** Resolves true once the service answers. */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /** For the error message, e.g. "influxd /ping to answer 204". */
  readyWhat?: string;
}

/** Spawns and waits until ready; a service that does not get ready is killed and its log tail thrown. */
export async function startService(options: StartOptions): Promise<ServiceProcess> {
  const service = await spawnService(options);
  try {
    await waitFor(options.ready, {
      timeoutMs: options.readyTimeoutMs ?? 30_000,
      what: options.readyWhat ?? `${options.name} to get ready`,
      service,
    });
  } catch (error) {
    await service.stop(500);
    throw error;
  }
  return service;
}
