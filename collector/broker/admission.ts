import { readFileSync } from 'node:fs';
import { ConfigError } from '../../contract/index.ts';

/**
 * Who may open a connection to the broker, before a byte is read: a bound on connections in total (below
 * the process's descriptor limit), on connections that have not logged in yet (in total and per address),
 * and on the rate of new connections per address. Logged-in agents are never closed by it; the slots that
 * strangers can take are only the unauthenticated ones, so registered agents keep their headroom.
 * Pure apart from the injected clock.
 */
export interface AdmissionLimits {
  /** Connections of any kind; default: the descriptor limit less a reserve for files and InfluxDB. */
  maxConnections: number;
  /** Connections not logged in yet, in total... */
  maxUnauthenticated: number;
  /** ...and from one address. */
  maxUnauthenticatedPerAddress: number;
  /** New connections per address: a burst of this many... */
  connectBurst: number;
  /** ...refilled at this many per second; a connection that logs in gives its token back. */
  connectPerSecond: number;
}

export type AdmissionRefusal = 'connection limit' | 'too many connections before login from this address' | 'connecting too often';

/** Admitted; `evictOldest`: the before-login pool is full, so the caller closes its oldest member to make room. */
export type AdmissionVerdict = { admitted: true; evictOldest: boolean } | { admitted: false; reason: AdmissionRefusal };

export interface Admission {
  /**
   * A new connection from `remote`: admitted (and counted as not logged in), or the reason it is not. When the
   * before-login pool is full the newcomer is still admitted and the oldest waiting connection is to be closed
   * (the caller does, and reports it with `closed`): a real agent logs in within milliseconds, so sockets held
   * open idle by others cannot keep it out.
   */
  admit(remote: string): AdmissionVerdict;
  /** The connection logged in: it no longer counts against the before-login limits. */
  loggedIn(remote: string): void;
  /** The connection closed; `wasLoggedIn` says which count it leaves. */
  closed(remote: string, wasLoggedIn: boolean): void;
  counts(): { total: number; unauthenticated: number };
}

/** The soft RLIMIT_NOFILE of this process (Linux /proc), or 1024 where it cannot be read. */
export function descriptorLimit(): number {
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (line?.[1] === 'unlimited') return 1_048_576;
    if (line?.[1]) return Number(line[1]);
  } catch {
    // not Linux
  }
  return 1_024;
}

/** Connections the broker may hold: the descriptor limit less a tenth (at least 256) for files, the database and the log. */
export function defaultMaxConnections(limit = descriptorLimit()): number {
  return Math.max(16, limit - Math.max(256, Math.floor(limit / 10)));
}

/** Connections kept beyond the registered agents: reconnects overlap their old connection until it times out. */
export function agentMargin(registered: number): number {
  return Math.max(16, Math.ceil(registered / 10));
}

/**
 * The connection cap, checked at start against the descriptor limit and the registered agents: below the
 * limit with its reserve (defaultMaxConnections), and at least every registered agent plus a margin and a
 * minimal before-login pool. Answers the cap, or throws a one-line ConfigError (the CLI exits 2): a collector
 * that cannot hold its own agents must not start and fail later, one school at a time.
 */
export function connectionHeadroom(o: { registered: number; limit?: number; maxConnections?: number }): number {
  const limit = o.limit ?? descriptorLimit();
  const ceiling = defaultMaxConnections(limit);
  const needed = o.registered + agentMargin(o.registered) + MIN_BEFORE_LOGIN;
  const fix = 'raise LimitNOFILE in the collector\'s systemd unit (or ulimit -n)';
  if (o.maxConnections !== undefined && o.maxConnections > ceiling) {
    throw new ConfigError(`broker: ${o.maxConnections} connections would use descriptors the collector needs (limit ${limit}, at most ${ceiling}): lower broker.maxConnections or ${fix}`);
  }
  const cap = o.maxConnections ?? ceiling;
  if (cap < needed) {
    throw new ConfigError(
      `broker: ${cap} connections (descriptor limit ${limit}) cannot hold ${o.registered} registered agents with a margin of ${agentMargin(o.registered)} and ${MIN_BEFORE_LOGIN} before login (${needed}): ${fix}`,
    );
  }
  return cap;
}

/** The least before-login pool the cap must leave beside the registered agents. */
export const MIN_BEFORE_LOGIN = 16;

export const ADMISSION_DEFAULTS: Omit<AdmissionLimits, 'maxConnections'> = {
  maxUnauthenticated: 512,
  maxUnauthenticatedPerAddress: 16,
  connectBurst: 20,
  connectPerSecond: 1,
};

interface Bucket {
  tokens: number;
  at: number;
}

/** Above this many addresses in the table, full buckets (addresses quiet long enough) are dropped. */
const PRUNE_ABOVE = 10_000;

export function createAdmission(limits: AdmissionLimits, now: () => number): Admission {
  let total = 0;
  let unauthenticated = 0;
  const unauthByAddress = new Map<string, number>();
  const buckets = new Map<string, Bucket>();

  const refill = (b: Bucket, at: number): void => {
    b.tokens = Math.min(limits.connectBurst, b.tokens + ((at - b.at) / 1_000) * limits.connectPerSecond);
    b.at = at;
  };

  const prune = (at: number): void => {
    for (const [key, b] of buckets) {
      refill(b, at);
      if (b.tokens >= limits.connectBurst) buckets.delete(key);
    }
  };

  return {
    admit(remote) {
      const at = now();
      if (buckets.size > PRUNE_ABOVE) prune(at);
      const bucket = buckets.get(remote) ?? { tokens: limits.connectBurst, at };
      refill(bucket, at);
      buckets.set(remote, bucket);
      if (bucket.tokens < 1) return { admitted: false, reason: 'connecting too often' };
      bucket.tokens -= 1;
      // At the total cap a connection not logged in yet gives way too: strangers' sockets never hold a slot a
      // registered agent needs (the cap itself leaves room for every registered agent, connectionHeadroom()).
      const evictOldest = unauthenticated >= limits.maxUnauthenticated || (total >= limits.maxConnections && unauthenticated > 0);
      if (total >= limits.maxConnections && !evictOldest) return { admitted: false, reason: 'connection limit' };
      const mine = unauthByAddress.get(remote) ?? 0;
      if (mine >= limits.maxUnauthenticatedPerAddress) return { admitted: false, reason: 'too many connections before login from this address' };
      total++;
      unauthenticated++;
      unauthByAddress.set(remote, mine + 1);
      return { admitted: true, evictOldest };
    },
    loggedIn(remote) {
      // A connection that logged in gives its token back: the rate bounds connections that never log in, not
      // an agent reconnecting (its denied publishes are slowed by the login penalty instead).
      const bucket = buckets.get(remote);
      if (bucket) bucket.tokens = Math.min(limits.connectBurst, bucket.tokens + 1);
      unauthenticated--;
      const mine = (unauthByAddress.get(remote) ?? 1) - 1;
      if (mine <= 0) unauthByAddress.delete(remote);
      else unauthByAddress.set(remote, mine);
    },
    closed(remote, wasLoggedIn) {
      total--;
      if (wasLoggedIn) return;
      unauthenticated--;
      const mine = (unauthByAddress.get(remote) ?? 1) - 1;
      if (mine <= 0) unauthByAddress.delete(remote);
      else unauthByAddress.set(remote, mine);
    },
    counts: () => ({ total, unauthenticated }),
  };
}
