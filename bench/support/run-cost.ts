import { readFileSync } from 'node:fs';
import { cpuSeconds, round3 } from './proc-stats.ts';

/** Linux clock ticks per second (`getconf CLK_TCK`). */
const TICKS = 100;

/** CPU seconds of this process's children that have exited and been waited for (cutime + cstime, proc(5)). */
export function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / TICKS;
}

/** What one timed run cost: wall seconds, CPU seconds of this process and of the children it ran. */
export interface RunCost {
  wallSeconds: number;
  cpuSelf: number;
  cpuChildren: number;
  /** Plus the CPU of any long-running process measured beside (by pid), e.g. a poller under test. */
  cpuOther?: Record<string, number>;
}

/**
 * Times `work`; CPU is this process (all threads) plus its reaped children, plus the named other
 * processes. Children are only counted once they exited, so `work` must wait for the ones it starts.
 */
export async function measureRun<T>(work: () => Promise<T>, others: Record<string, number> = {}): Promise<{ cost: RunCost; value: T }> {
  const wall0 = performance.now();
  const self0 = cpuSeconds();
  const children0 = childrenCpuSeconds();
  const others0 = Object.fromEntries(Object.entries(others).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const value = await work();
  const cost: RunCost = {
    wallSeconds: round3((performance.now() - wall0) / 1000),
    cpuSelf: round3(cpuSeconds() - self0),
    cpuChildren: round3(childrenCpuSeconds() - children0),
  };
  if (Object.keys(others).length > 0) {
    cost.cpuOther = Object.fromEntries(Object.entries(others).map(([k, pid]) => [k, round3(cpuSeconds(pid) - others0[k]!)]));
  }
  return { cost, value };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
