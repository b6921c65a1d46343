/** Messages between the bench and its agents' processes (agents-process.ts), over Node's IPC channel. */
export interface SchoolCounts {
  /** Samples measured, per measurement (what must be in InfluxDB once the spool is empty). */
  samples: Record<string, number>;
  batches: number;
  /** Batches the broker acknowledged (PUBACK), replays included. */
  acked: number;
}

/**
 * What the bench itself did to one school since the last health window began: its own lateness, so a run
 * can tell an alert the bench caused (its agent fell silent) from one the collector caused.
 */
export interface SchoolBenchRecord {
  /** Longest time between two polls of this school (ms), while it was meant to be online; 0: fewer than two. */
  maxPollGapMs: number;
  /** Latest poll, ms after its scheduled time. */
  maxLateMs: number;
  /** Connections that closed without the bench cutting them (keepalive, broker, socket error). */
  unexpectedCloses: number;
  /** Longest publish → PUBACK of a batch sent while connected (ms): the collector's side and the socket's. */
  maxAckMs: number;
}

/** One poll an agent made while cut off (it went to the spool): enough to make the same samples again. */
export interface OfflinePoll {
  poll: number;
  /** Its measured-at time (ms). */
  at: number;
  down?: string[];
}

export type SchoolStats = SchoolCounts & { spooled: number; online: boolean; bench: SchoolBenchRecord; offlinePolls: OfflinePoll[] };

/** Percentiles of one figure over a window, ms. */
export interface Spread {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

/** One agents' process's own figures over a window (health with reset starts a new one). */
export interface ProcessHealth {
  schools: number;
  seconds: number;
  /** process.cpuUsage over the window (the bench reads /proc too). */
  cpuSeconds: number;
  /** perf_hooks.monitorEventLoopDelay over the window. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** One school's poll: building its samples and encoding its batch(es). */
  buildMs: Spread;
  /** Scheduled poll time → built. */
  lateMs: Spread;
  /** Publish → PUBACK. */
  ackMs: Spread;
  /** Most polls built in one wall-clock second, and the mean per second over the window. */
  pollsPerSecond: { max: number; mean: number };
  unexpectedCloses: number;
  closeReasons: Record<string, number>;
  rssMiB: number;
}

export type AgentsRequest =
  | { type: 'init'; id: number; url: string; agents: { index: number; password: string }[] }
  | { type: 'connect'; id: number; indices: number[]; concurrency: number }
  | { type: 'poll'; id: number; poll: number; at: number; spreadMs: number; down: Record<string, string[]> }
  | { type: 'offline'; id: number; indices: number[] }
  | { type: 'stats'; id: number }
  | { type: 'health'; id: number; reset: boolean }
  | { type: 'stop'; id: number };

export type AgentsReply =
  | { type: 'ok'; id: number }
  | { type: 'connected'; id: number; ms: number[] }
  | { type: 'stats'; id: number; counts: Record<string, SchoolStats> }
  | { type: 'health'; id: number; health: ProcessHealth }
  | { type: 'error'; id: number; message: string };

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
export type AgentsCommand = DistributiveOmit<AgentsRequest, 'id'>;
