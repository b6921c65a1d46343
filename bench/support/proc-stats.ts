import { readFileSync } from 'node:fs';

/** Linux clock ticks per second (`getconf CLK_TCK`); 100 on every kernel config we run. */
const TICKS = 100;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; this process if no pid. */
export function cpuSeconds(pid?: number): number {
  if (pid === undefined) {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces; the fields after its closing parenthesis are fixed (proc(5)).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** The whole machine's CPU time so far by state, seconds (/proc/stat's first line, proc(5)). */
export function machineCpuSeconds(): { busy: number; idle: number; iowait: number } {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number) as number[];
  return { busy: (user! + nice! + system! + irq! + softirq! + steal!) / TICKS, idle: idle! / TICKS, iowait: iowait! / TICKS };
}

/** CPU seconds each named process spends between start() and the returned stop(). */
export function cpuMeter(pids: Record<string, number | undefined>): () => Record<string, number> {
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  return () =>
    Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, round3(cpuSeconds(pid) - before[name]!)]));
}

export const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Peak resident memory of a live process so far (VmHWM in /proc/<pid>/status), MiB. */
export function peakRssMiB(pid: number): number {
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return kb === undefined ? 0 : Math.round(Number(kb) / 1024);
}

/**
 * Waits until a process has been nearly idle (under `share` of one core) for `windowMs`, or `timeoutMs` passed:
 * influxd snapshots and compacts the shards of the previous run in the background, and a run that started
 * meanwhile would pay for it.
 */
export async function waitForIdle(pid: number, { windowMs = 500, share = 0.05, timeoutMs = 30_000 } = {}): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const before = cpuSeconds(pid);
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    if (cpuSeconds(pid) - before <= (share * windowMs) / 1000) return;
  }
}
