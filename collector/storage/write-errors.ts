import { httpStatus } from './influx-client.ts';

/** What a failed write means for the points in it. */
export type WriteFailure =
  /** InfluxDB unreachable, failing (5xx), timing out or refusing our credentials: keep the points, retry. */
  | { kind: 'retry'; message: string }
  /**
   * 400: InfluxDB stored every point it could and refused the rest for good (field type conflict, bad
   * name); retrying cannot help. `dropped` is InfluxDB's own count (it reports 0 for unparseable lines).
   */
  | { kind: 'refused'; dropped: number; message: string }
  /** 404: the database is gone (dropped while we run); create it and write again. */
  | { kind: 'no-database'; message: string }
  /** 413: the body is over InfluxDB's max-body-size; write smaller batches. */
  | { kind: 'too-large'; message: string };

export function classifyWriteError(err: unknown): WriteFailure {
  const message = err instanceof Error ? err.message : String(err);
  const status = httpStatus(err);
  if (status === 400) {
    const dropped = /dropped=(\d+)/.exec(message);
    return { kind: 'refused', dropped: dropped ? Number(dropped[1]) : 0, message };
  }
  if (status === 404 && /database not found/i.test(message)) return { kind: 'no-database', message };
  if (status === 413) return { kind: 'too-large', message };
  return { kind: 'retry', message };
}
