import { setTimeout as sleep } from 'node:timers/promises';
import type { InfluxServer } from '../../test/harness/index.ts';

export interface LiveDelays {
  /** Samples of the live agent first seen in InfluxDB during the window. */
  samples: number;
  maxSeconds: number;
  medianSeconds: number;
}

/**
 * Watches a live agent's ping samples arrive: each sample's delay is when a query first sees it minus the
 * time it was measured (the poll granularity adds up to `intervalMs`). stop() returns the delays of samples
 * first seen at or after `from` (performance.now() clock).
 */
export function watchLiveSamples(influx: InfluxServer, database: string, site: string, intervalMs = 250) {
  const firstSeen = new Map<number, { wall: number; perf: number }>();
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const [result] = await influx.query(`SELECT up FROM ping WHERE site='${site}' AND time > now() - 1h`, database);
        const wall = Date.now();
        const perf = performance.now();
        for (const [time] of result?.series?.[0]?.values ?? []) {
          const at = Date.parse(String(time));
          if (!firstSeen.has(at)) firstSeen.set(at, { wall, perf });
        }
      } catch {
        // influxd busy: the next poll sees it, and the delay counts that
      }
      await sleep(intervalMs);
    }
  })();
  return {
    seen: () => firstSeen.size,
    async stop(from: number): Promise<LiveDelays> {
      running = false;
      await loop;
      const delays = [...firstSeen]
        .filter(([, seen]) => seen.perf >= from)
        .map(([measured, seen]) => (seen.wall - measured) / 1000)
        .sort((a, b) => a - b);
      return {
        samples: delays.length,
        maxSeconds: Math.round((delays.at(-1) ?? 0) * 10) / 10,
        medianSeconds: Math.round((delays[Math.floor(delays.length / 2)] ?? 0) * 10) / 10,
      };
    },
  };
}
