import type { InfluxServer } from '../../test/harness/index.ts';
import type { OfflinePoll } from './agents-protocol.ts';
import { lineBodies, sampleLine } from '../support/line-protocol.ts';
import { postBodies } from '../support/raw-writer.ts';
import { pollSamples, school } from './schools.ts';
import { DEFAULT_WRITES_IN_FLIGHT } from '../../collector/storage/write-schedule.ts';

const DB = 'raw_reference';

/**
 * The same influxd's raw `/write` rate for the work of the regional outage's replay: the region's schools'
 * polls as line protocol, POSTed in bodies of 5,000 points (the collector's batch size) by as many keep-alive
 * writers as it has writes in flight (DEFAULT_WRITES_IN_FLIGHT), into a database of its own. Measured right after the drain, in the same run.
 */
export async function rawWriteReference(influx: InfluxServer, region: readonly number[], polls: number): Promise<{ points: number; seconds: number; pointsPerSecond: number }> {
  await influx.query(`CREATE DATABASE ${DB}`);
  const lines: string[] = [];
  const base = Date.now() - 2 * 3_600_000;
  for (let p = 0; p < polls; p++) {
    for (const i of region) {
      const s = school(i);
      for (const sample of pollSamples(s, p, base + p * 60_000 + i)) lines.push(sampleLine(s.site, sample));
    }
  }
  const bodies = lineBodies(lines, 5_000);
  const start = performance.now();
  await postBodies(influx.url, DB, bodies, DEFAULT_WRITES_IN_FLIGHT);
  const seconds = (performance.now() - start) / 1000;
  return { points: lines.length, seconds: Math.round(seconds * 1000) / 1000, pointsPerSecond: Math.round(lines.length / seconds) };
}

/**
 * The bodies for the raw `/write` rate of the very points the drain stored (rawWriteSamePoints posts them): each region school's offline polls made again
 * (same poll, measured-at time and down devices: schools.ts is deterministic), as line protocol in bodies of
 * 5,000 by the collector's writes in flight, into the collector's own database. So InfluxDB does the drain's work again against the
 * same shard, index and cache, beside the same live schools (the caller keeps them polling); each point
 * overwrites itself, so the counts do not change. The fresh-database reference above leaves out both the
 * live load and the size of the shard the drain writes into.
 */
export function samePointsBodies(region: readonly number[], offlinePolls: (i: number) => readonly OfflinePoll[]): { bodies: string[]; points: number } {
  const lines: string[] = [];
  const polls = region.map(offlinePolls);
  const most = Math.max(0, ...polls.map((p) => p.length));
  // Poll by poll across the region, as the drain's writes mix the schools' spools.
  for (let k = 0; k < most; k++) {
    region.forEach((i, r) => {
      const p = polls[r]![k];
      if (p === undefined) return;
      const s = school(i);
      for (const sample of pollSamples(s, p.poll, p.at, new Set(p.down ?? []))) lines.push(sampleLine(s.site, sample));
    });
  }
  return { bodies: lineBodies(lines, 5_000), points: lines.length };
}

/** POSTs samePointsBodies' bodies into `database` by the collector's writes in flight, timed (the bodies are made before, untimed). */
export async function rawWriteSamePoints(influx: InfluxServer, database: string, made: { bodies: string[]; points: number }): Promise<{ points: number; seconds: number; pointsPerSecond: number }> {
  const start = performance.now();
  await postBodies(influx.url, database, made.bodies, DEFAULT_WRITES_IN_FLIGHT);
  const seconds = (performance.now() - start) / 1000;
  return { points: made.points, seconds: Math.round(seconds * 1000) / 1000, pointsPerSecond: Math.round(made.points / seconds) };
}
