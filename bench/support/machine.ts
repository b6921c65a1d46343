import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';

/** What a result was measured on: figures from different machines are not comparable. */
export interface Machine {
  node: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  influxd: string;
}

export function describeMachine(): Machine {
  const list = cpus();
  let influxd = 'unknown';
  try {
    influxd = execFileSync('influxd', ['version'], { encoding: 'utf8', timeout: 5_000 }).trim();
  } catch {
    // Reported as unknown; the scenario itself fails clearly if influxd is missing.
  }
  return {
    node: process.version,
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    influxd,
  };
}
