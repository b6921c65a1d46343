/** Growing delays for repeated failed logins, by remote address and username. */
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
  /** How long a login from `remote` as `username` is held before its password is checked; 0 if it is not penalised. */
  holdMs(remote: string, username?: string): number;
  /** Counts a failure; returns the failures in this burst (1 for the first). */
  failed(remote: string, username?: string): number;
  succeeded(remote: string, username?: string): void;
}

/** The table is pruned of quiet entries once it grows past this, so a scan of many addresses stays bounded. */
const PRUNE_ABOVE = 10_000;
/** Failing usernames one address may try before the address itself is held back (password spraying). */
const USERNAMES_BEFORE_ADDRESS_HOLD = 3;
/** Usernames remembered per address; enough to see spraying, bounded against a flood of new names. */
const USERNAMES_KEPT = 64;

/**
 * Keyed by remote address and username together: one NATed school's misconfigured agent does not slow the
 * other agents behind the same address, and someone elsewhere cannot hold a real agent's logins back by
 * failing with its (public) username. An address that fails with more than a few different usernames is
 * trying names, and is held back as a whole. Pure apart from the injected clock.
 */
export function createLoginPenalty(config: LoginBackoffConfig, now: () => number): LoginPenalty {
  const byLogin = new Map<string, Burst>();
  const byAddress = new Map<string, { users: Set<string>; burst: Burst }>();
  const key = (remote: string, username = '') => `${remote}\u0000${username}`;

  const current = (key: string, at: number): Burst | undefined => {
    const record = byLogin.get(key);
    if (record && at - record.lastFailure >= config.quietMs) {
      byLogin.delete(key);
      return undefined;
    }
    return record;
  };
  const address = (remote: string, at: number) => {
    const record = byAddress.get(remote);
    if (record && at - record.burst.lastFailure >= config.quietMs) {
      byAddress.delete(remote);
      return undefined;
    }
    return record;
  };
  const hold = (failures: number) => Math.min(config.maxMs, config.baseMs * 2 ** Math.min(failures - 1, 30));

  return {
    holdMs(remote, username) {
      const at = now();
      const login = current(key(remote, username), at);
      const sprayed = address(remote, at);
      return Math.max(0, (login?.until ?? at) - at, (sprayed?.burst.until ?? at) - at);
    },
    failed(remote, username) {
      const at = now();
      if (byLogin.size > PRUNE_ABOVE) for (const k of byLogin.keys()) current(k, at);
      if (byAddress.size > PRUNE_ABOVE) for (const k of byAddress.keys()) address(k, at);
      const k = key(remote, username);
      const record = current(k, at) ?? { failures: 0, lastFailure: at, until: at };
      record.failures++;
      record.lastFailure = at;
      record.until = at + hold(record.failures);
      byLogin.set(k, record);

      const sprayed = address(remote, at) ?? { users: new Set<string>(), burst: { failures: 0, lastFailure: at, until: at } };
      if (sprayed.users.size < USERNAMES_KEPT) sprayed.users.add(username ?? '');
      sprayed.burst.lastFailure = at;
      if (sprayed.users.size > USERNAMES_BEFORE_ADDRESS_HOLD) {
        sprayed.burst.failures++;
        sprayed.burst.until = at + hold(sprayed.burst.failures);
      }
      byAddress.set(remote, sprayed);
      return Math.max(record.failures, sprayed.burst.failures);
    },
    succeeded(remote, username) {
      byLogin.delete(key(remote, username));
    },
  };
}
