import { spawn } from 'node:child_process';
import type { PingCheckConfig } from '../../../contract/index.ts';

/**
 * The system ping's command line for one check: numeric output, `probes` echo requests `probeIntervalSeconds`
 * apart, each waited for `timeoutSeconds` (iputils accepts fractions for -i and -W). The address comes last,
 * after `--`, so nothing in it can be read as an option.
 */
export function systemPingArgs(address: string, config: PingCheckConfig): string[] {
  return [
    '-n',
    '-c', String(config.probes),
    '-i', String(config.probeIntervalSeconds),
    '-W', String(config.timeoutSeconds),
    '--',
    address,
  ];
}

/** Longest a run may take before it is ended: every probe sent, the last one waited for, plus slack. */
export function systemPingDeadlineMs(config: PingCheckConfig): number {
  return Math.ceil((config.probes * config.probeIntervalSeconds + config.timeoutSeconds) * 1000) + 5_000;
}

/**
 * Runs the system ping and resolves with everything it printed (stdout, then stderr), which parse.ts reads.
 * LANG and LC_ALL are set to C in the child's environment only, so the summary is in English whatever the
 * host's locale, and this process's own environment is left alone.
 */
export function runSystemPing(address: string, config: PingCheckConfig, command = 'ping'): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(command, systemPingArgs(address, config), {
      env: { ...process.env, LANG: 'C', LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    // A check's output is a few hundred bytes per probe; keep at most 64 KiB so nothing can grow unbounded.
    let kept = 0;
    const keep = (into: Buffer[]) => (chunk: Buffer) => {
      if (kept >= 65_536) return;
      kept += chunk.length;
      into.push(chunk);
    };
    child.stdout.on('data', keep(out));
    child.stderr.on('data', keep(err));
    const timer = setTimeout(() => child.kill('SIGKILL'), systemPingDeadlineMs(config));
    timer.unref();
    let spawnError: Error | undefined;
    child.once('error', (e) => {
      spawnError = e;
    });
    child.once('close', () => {
      clearTimeout(timer);
      // A ping that could not start says so the way ping itself would, so noReplyReason reports it.
      if (spawnError !== undefined) return resolve(`ping: cannot run ${command}: ${(spawnError as NodeJS.ErrnoException).code ?? spawnError.message}\n`);
      resolve(Buffer.concat([...out, ...err]).toString('utf8'));
    });
  });
}
