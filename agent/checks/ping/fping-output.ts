import type { PingSummary } from './parse.ts';

/**
 * fping's per-target report in count mode (`-C N -q`), written to stderr, one line per target:
 * `127.0.0.1    : 0.016 0.060 -` — the round-trip time of each probe in ms, "-" for one that got no reply
 * within the timeout. The target is printed as it was given (padded to the longest name).
 */
const TARGET_LINE = /^(\S+)\s+: ((?:[\d.]+|-)(?: (?:[\d.]+|-))*)\s*$/;

/** Probe times per target as fping printed them; undefined for a lost probe. */
export function parseFpingCounts(output: string): Map<string, (number | undefined)[]> {
  const targets = new Map<string, (number | undefined)[]>();
  for (const line of output.split('\n')) {
    const match = TARGET_LINE.exec(line);
    if (match === null) continue;
    targets.set(match[1]!, match[2]!.split(' ').map((t) => (t === '-' ? undefined : Number(t))));
  }
  return targets;
}

/**
 * The same summary the system ping prints, from one target's probe times. Jitter is iputils ping's mdev
 * (the population standard deviation of the replies, sqrt(mean(t²) − mean(t)²)), so the two paths agree.
 */
export function summaryFromProbes(probes: readonly (number | undefined)[]): PingSummary {
  const replies = probes.filter((t): t is number => t !== undefined);
  const summary: PingSummary = { sent: probes.length, received: replies.length, errors: 0 };
  if (replies.length === 0) return summary;
  const mean = replies.reduce((a, b) => a + b, 0) / replies.length;
  const meanSquare = replies.reduce((a, b) => a + b * b, 0) / replies.length;
  summary.rtt = {
    minMs: Math.min(...replies),
    avgMs: round3(mean),
    maxMs: Math.max(...replies),
    mdevMs: round3(Math.sqrt(Math.max(0, meanSquare - mean * mean))),
  };
  return summary;
}

/** ping and fping print three decimals; keep the sample the same whichever path measured it. */
function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/**
 * The lines fping printed other than per-target reports (e.g. "name: Name or service not known",
 * "ICMP Host Unreachable from … for ICMP Echo sent to <target>"); usually none.
 */
export function fpingOtherLines(output: string): string[] {
  return output.split('\n').filter((line) => line.trim() !== '' && !TARGET_LINE.test(line));
}

/** Those of `lines` about one target, for the reason of a run with no reply. */
export function fpingLinesAbout(lines: readonly string[], target: string): string[] {
  return lines.filter((line) => line.startsWith(`${target}:`) || line.startsWith(`${target} `) || line.endsWith(` ${target}`));
}
