/** What one run of the system ping reported in its closing summary. */
export interface PingSummary {
  sent: number;
  /** Distinct echo replies; duplicates are not counted (iputils reports them apart as "+N duplicates"). */
  received: number;
  /** ICMP errors received instead of replies, e.g. "Destination Host Unreachable". */
  errors: number;
  /** Round-trip times of the replies; absent when nothing answered. */
  rtt?: { minMs: number; avgMs: number; maxMs: number; mdevMs: number | undefined };
}

// iputils: "3 packets transmitted, 3 received, +1 duplicates, +3 errors, 0% packet loss, time 407ms";
// BSD and busybox: "3 packets transmitted, 3 packets received, 0.0% packet loss".
const COUNTS = /(\d+) packets transmitted, (\d+)(?: packets)? received(?:, \+(\d+) duplicates)?(?:, \+(\d+) errors)?/;
// iputils: "rtt min/avg/max/mdev = 0.028/0.037/0.044/0.006 ms"; BSD "round-trip min/avg/max/stddev = ...";
// busybox has no fourth figure.
const RTT = /(?:rtt|round-trip) min\/avg\/max(?:\/(?:mdev|stddev))? = ([\d.]+)\/([\d.]+)\/([\d.]+)(?:\/([\d.]+))? ms/;

/**
 * Reads the summary that system ping prints when it exits. Returns undefined when there is none (the
 * name did not resolve, the network is unreachable, ping could not start): then nothing was measured.
 */
export function parsePingSummary(output: string): PingSummary | undefined {
  const counts = COUNTS.exec(output);
  if (counts === null) return undefined;
  const sent = Number(counts[1]);
  const received = Math.min(Number(counts[2]), sent);
  const summary: PingSummary = { sent, received, errors: counts[4] === undefined ? 0 : Number(counts[4]) };
  const rtt = RTT.exec(output);
  if (rtt !== null && received > 0) {
    summary.rtt = {
      minMs: Number(rtt[1]),
      avgMs: Number(rtt[2]),
      maxMs: Number(rtt[3]),
      mdevMs: rtt[4] === undefined ? undefined : Number(rtt[4]),
    };
  }
  return summary;
}

/** What the probes of one target found, and why nothing answered when nothing did. */
export interface PingOutcome {
  summary: PingSummary | undefined;
  /** A short reason for a run without a reply ("no reply", the pinger's own complaint). */
  noReply: string;
}

/** The outcome of one run of the system ping, from its output. */
export function pingOutcome(output: string): PingOutcome {
  const summary = parsePingSummary(output);
  return { summary, noReply: noReplyReason(output, summary) };
}

/** Loss out of what was sent, computed from the counts rather than ping's rounded percentage. */
export function lossPercent(summary: PingSummary): number {
  if (summary.sent === 0) return 100;
  return ((summary.sent - summary.received) / summary.sent) * 100;
}

/**
 * A short reason for a run in which nothing answered: ping's own complaint if it printed one
 * ("connect: Network is unreachable"), else what the ICMP errors said, else "no reply".
 */
export function noReplyReason(output: string, summary: PingSummary | undefined): string {
  if (summary === undefined) {
    const complaint = output.split('\n').find((line) => line.startsWith('ping: '))?.slice('ping: '.length);
    return (complaint ?? output.trim().split('\n')[0] ?? '').slice(0, 200) || 'ping printed nothing';
  }
  if (summary.errors > 0) {
    const from = /^From \S+ icmp_seq=\d+ (.+)$/m.exec(output);
    return from?.[1]?.toLowerCase() ?? 'icmp error';
  }
  return 'no reply';
}
