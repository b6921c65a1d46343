import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Helpers of the deploy/ tests (deploy-files, deploy-mosquitto, deploy-install): the repository and its tools. */
export const REPO = fileURLToPath(new URL('..', import.meta.url));
export const repo = (...parts: string[]) => join(REPO, ...parts);

/** A program on PATH or in the sbin folders a non-root PATH may lack; undefined if not installed. */
export function findProgram(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Runs a program to its end. The timeout is generous: on a loaded 2-core machine a node CLI alone takes ~8 s to start. */
export function run(command: string, args: string[], options: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, { encoding: 'utf8', timeout: 180_000, ...options });
}

export const unitPath = (name: string) => repo('deploy', 'systemd', name);
