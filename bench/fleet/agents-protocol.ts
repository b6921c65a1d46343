/** Messages between the bench and its agents' process (agents-process.ts), over Node's IPC channel. */
export interface SchoolCounts {
  /** Samples measured, per measurement (what must be in InfluxDB once the spool is empty). */
  samples: Record<string, number>;
  batches: number;
  /** Batches the broker acknowledged (PUBACK), replays included. */
  acked: number;
}

export type SchoolStats = SchoolCounts & { spooled: number; online: boolean };

export type AgentsRequest =
  | { type: 'init'; id: number; url: string; agents: { index: number; password: string }[] }
  | { type: 'connect'; id: number; indices: number[]; concurrency: number }
  | { type: 'poll'; id: number; poll: number; at: number; spreadMs: number; down: Record<string, string[]> }
  | { type: 'offline'; id: number; indices: number[] }
  | { type: 'stats'; id: number }
  | { type: 'stop'; id: number };

export type AgentsReply =
  | { type: 'ok'; id: number }
  | { type: 'connected'; id: number; ms: number[] }
  | { type: 'stats'; id: number; counts: Record<string, SchoolStats> }
  | { type: 'error'; id: number; message: string };

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
export type AgentsCommand = DistributiveOmit<AgentsRequest, 'id'>;
