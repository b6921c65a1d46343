import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { PingCheckConfig } from '../../../contract/index.ts';
import { fpingLinesAbout, fpingOtherLines, parseFpingCounts, summaryFromProbes } from './fping-output.ts';
import type { PingOutcome } from './parse.ts';

/** fping's shortest per-target period in count mode (fping(8) `-p`). */
const MIN_PERIOD_MS = 10;

/**
 * How fping is told to probe like the ping check's settings say. In count mode fping waits at most
 * `-t` for each reply and drops any reply slower than that, and it cannot honour a `-t` longer than its
 * per-target period `-p` (fping(8)): so the period is the longer of the probe interval and the timeout,
 * and a reply within `timeoutSeconds` always counts, as with the system ping's `-W`. A sweep therefore
 * takes (probes − 1) × max(interval, timeout) + timeout; set timeoutSeconds ≤ probeIntervalSeconds for
 * the fastest sweep.
 */
export function fpingOptions(config: PingCheckConfig): string[] {
  const timeoutMs = Math.round(config.timeoutSeconds * 1000);
  const periodMs = Math.max(MIN_PERIOD_MS, Math.round(config.probeIntervalSeconds * 1000), timeoutMs);
  // -i 1: 1 ms between any two packets of the sweep (the default 10 ms makes 250 targets take 2.5 s a round).
  return ['-C', String(config.probes), '-p', String(periodMs), '-t', String(timeoutMs), '-i', '1', '-q'];
}

/** The longest a sweep of `targets` may take before it is killed: its plan plus a generous margin. */
export function fpingDeadlineMs(config: PingCheckConfig, targets: number): number {
  const periodMs = Math.max(config.probeIntervalSeconds, config.timeoutSeconds) * 1000;
  return (config.probes - 1) * periodMs + config.timeoutSeconds * 1000 + targets * config.probes * 2 + 10_000;
}

/** The fping on PATH, or undefined when it is not installed. */
export function findFping(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'fping');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Probes many targets with one fping process. Resolves one outcome per target fping reported on; a
 * target missing from the map (a name fping could not resolve, fping failing to start) is the caller's
 * to probe another way. Rejects only if fping could not be run at all.
 */
export function runFping(command: string, targets: readonly string[], config: PingCheckConfig): Promise<Map<string, PingOutcome>> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      // "--" ends the options: no target is ever read as one (the device schema forbids a leading "-" too).
      [...fpingOptions(config), '--', ...targets],
      { timeout: fpingDeadlineMs(config, targets.length), maxBuffer: 16 * 1024 * 1024, env: { ...process.env, LANG: 'C', LC_ALL: 'C' } },
      (error, stdout, stderr) => {
        // Exit 1 (some target unreachable) and 2 (some name not found) still carry the others' reports.
        const code = (error as { code?: unknown } | null)?.code;
        if (error !== null && code !== 1 && code !== 2) {
          reject(new Error(`fping failed: ${stderr.trim().split('\n')[0] || error.message}`));
          return;
        }
        const output = `${stderr}\n${stdout}`;
        const others = fpingOtherLines(output);
        const outcomes = new Map<string, PingOutcome>();
        for (const [target, probes] of parseFpingCounts(output)) {
          const summary = summaryFromProbes(probes);
          const about = others.length === 0 ? [] : fpingLinesAbout(others, target);
          summary.errors = about.filter((line) => /unreachable|prohibited/i.test(line)).length;
          outcomes.set(target, { summary, noReply: noReplyFrom(about) });
        }
        resolve(outcomes);
      },
    );
  });
}

/** "ICMP Host Unreachable from 198.18.0.1 for ICMP Echo sent to 198.18.0.9" → "host unreachable". */
function noReplyFrom(about: readonly string[]): string {
  const icmp = about.map((line) => /^ICMP (.+?) from /.exec(line)?.[1]).find((s) => s !== undefined);
  return icmp?.toLowerCase() ?? 'no reply';
}
