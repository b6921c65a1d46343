import type { Logger } from '../../contract/index.ts';

/**
 * At most one log line per who (an agent, or an address before login) and reason per window: the first is
 * logged as it happens, the rest are counted and summed up in one line when the window ends. A flood of
 * denied subscribes is then one line a minute, not millions. The table is bounded: past `maxKeys` new keys
 * share one overflow entry.
 */
export interface LimitedLog {
  warn(who: object, reason: string, fields: Record<string, unknown>, msg: string): void;
  /** Logs the summaries of the current window now (at close). */
  flush(): void;
  stop(): void;
}

interface Entry {
  who: object;
  reason: string;
  msg: string;
  suppressed: number;
}

export function createLimitedLog(log: Logger, o: { windowMs?: number; maxKeys?: number } = {}): LimitedLog {
  const windowMs = o.windowMs ?? 60_000;
  const maxKeys = o.maxKeys ?? 10_000;
  let entries = new Map<string, Entry>();
  let overflow = 0;

  const flush = (): void => {
    const ended = entries;
    entries = new Map();
    for (const e of ended.values()) {
      if (e.suppressed > 0) log.warn({ ...e.who, reason: e.reason, repeated: e.suppressed, windowMs }, `${e.msg} (repeated)`);
    }
    if (overflow > 0) log.warn({ repeated: overflow, windowMs }, 'more log lines suppressed than the summary table holds');
    overflow = 0;
  };
  const timer = setInterval(flush, windowMs);
  timer.unref();

  return {
    warn(who, reason, fields, msg) {
      const key = `${JSON.stringify(who)}\u0000${reason}`;
      const entry = entries.get(key);
      if (entry) {
        entry.suppressed++;
        return;
      }
      if (entries.size >= maxKeys) {
        overflow++;
        return;
      }
      entries.set(key, { who, reason, msg, suppressed: 0 });
      log.warn({ ...who, ...fields, reason }, msg);
    },
    flush,
    stop() {
      clearInterval(timer);
      flush();
    },
  };
}
