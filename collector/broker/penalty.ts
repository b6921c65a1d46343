/** Growing delays for repeated failed logins, by remote address. */
export interface LoginBackoffConfig {
  /** The hold after the first failure; it doubles with each further failure... */
  baseMs: number;
  /** ...up to this. */
  maxMs: number;
  /** A remote address without a failure for this long starts afresh. */
  quietMs: number;
}

export const LOGIN_BACKOFF_DEFAULTS: LoginBackoffConfig = { baseMs: 1_000, maxMs: 30_000, quietMs: 10 * 60_000 };

interface Burst {
  failures: number;
  lastFailure: number;
  /** A login from this address is not checked before this time. */
  until: number;
}

export interface LoginPenalty {
  /** How long a login from `remote` is held before its password is checked; 0 if it is not penalised. */
  holdMs(remote: string): number;
  /** Counts a failure; returns the failures in this burst (1 for the first). */
  failed(remote: string): number;
  succeeded(remote: string): void;
}

/** The table is pruned of quiet addresses once it grows past this, so a scan of many addresses stays bounded. */
const PRUNE_ABOVE = 10_000;

/**
 * Keyed by remote address, not by username: a username is public (it is the agent id), so keying by it
 * would let anyone hold a real agent's logins back; the address is the one the failures come from.
 * Pure apart from the injected clock.
 */
export function createLoginPenalty(config: LoginBackoffConfig, now: () => number): LoginPenalty {
  const byRemote = new Map<string, Burst>();

  const current = (remote: string, at: number): Burst | undefined => {
    const record = byRemote.get(remote);
    if (record && at - record.lastFailure >= config.quietMs) {
      byRemote.delete(remote);
      return undefined;
    }
    return record;
  };

  return {
    holdMs(remote) {
      const at = now();
      const record = current(remote, at);
      return record ? Math.max(0, record.until - at) : 0;
    },
    failed(remote) {
      const at = now();
      if (byRemote.size > PRUNE_ABOVE) for (const key of byRemote.keys()) current(key, at);
      const record = current(remote, at) ?? { failures: 0, lastFailure: at, until: at };
      record.failures++;
      record.lastFailure = at;
      record.until = at + Math.min(config.maxMs, config.baseMs * 2 ** Math.min(record.failures - 1, 30));
      byRemote.set(remote, record);
      return record.failures;
    },
    succeeded(remote) {
      byRemote.delete(remote);
    },
  };
}
