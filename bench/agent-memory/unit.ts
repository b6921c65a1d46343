import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const UNIT = fileURLToPath(new URL('../../deploy/systemd/hallmonitor-agent.service', import.meta.url));

/**
 * The environment the agent's systemd unit gives node (its `Environment=` lines: NODE_OPTIONS with the
 * heap caps, MALLOC_ARENA_MAX ...), so the bench measures the agent as a school's machine runs it.
 * systemd.exec(5): a line holds space-separated assignments, each may be double-quoted as a whole.
 * `unit` names another unit file (the collector's, for the fleet bench's `--collector-unit-env`).
 */
export function unitEnvironment(unit: string = UNIT): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(unit, 'utf8').split('\n')) {
    const value = /^Environment=(.*)$/.exec(line.trim())?.[1];
    if (value === undefined) continue;
    for (const [, quoted, plain] of value.matchAll(/"([^"]*)"|(\S+)/g)) {
      const assignment = quoted ?? plain!;
      const eq = assignment.indexOf('=');
      if (eq > 0) env[assignment.slice(0, eq)] = assignment.slice(eq + 1);
    }
  }
  return env;
}
