import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import { createLogger, samplesTopic, WIRE_VERSION, type SamplesBatch } from '../../contract/index.ts';
import { alertsConfigSchema } from '../../collector/alerts/config.ts';
import { createAlertEngine } from '../../collector/alerts/engine.ts';
import { AlertStore } from '../../collector/alerts/store.ts';
import { siteFileSchema } from '../../collector/config/schema.ts';
import { createIngest } from '../../collector/ingest/ingest.ts';
import { openLearnedState } from '../../collector/ingest/learned.ts';
import { encodeBatch } from '../fleet/batch.ts';
import { pollSamples, school, siteDevices } from '../fleet/schools.ts';

/**
 * One process, N schools of the fleet (bench/fleet/schools.ts) fed through the collector's real ingest
 * (screening, series budgets and learned maps, learned.ts on SQLite) into the real alert engine, for a few
 * polls, without MQTT, InfluxDB or agents: what the collector holds per series. Run with --expose-gc:
 * `node --expose-gc --import tsx bench/support/series-memory.ts <schools> [polls] [snapshot-file] [--turns 12]`.
 * Prints one JSON line: live heap per series after a forced GC, peak RSS while the series were first created.
 */
const { values: opts, positionals } = parseArgs({ allowPositionals: true, options: { turns: { type: 'string' } } });
const schools = Number(positionals[0] ?? 100);
const polls = Number(positionals[1] ?? 3);
const snapshotFile = positionals[2];
/** Engine turns per poll: 12 is the collector's 5 s turns over a minute; 1 is every site judged in one turn, as after a collector start when every agent flushes at once. */
const turns = Number(opts.turns ?? 12);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  process.stderr.write('series-memory: run with node --expose-gc\n');
  process.exit(2);
}
const POLL_MS = 60_000;
const BATCH_SAMPLES = 1_000;

const rssHwm = (): number => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;
const live = (): number => {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
};

const dir = mkdtempSync(join(tmpdir(), 'series-memory-'));
const log = createLogger('series-memory', 'silent');
let clock = Date.UTC(2026, 11, 7, 9, 0, 0);
const now = () => clock;
const fleet = Array.from({ length: schools }, (_, i) => school(i));
const sites = fleet.map((s) => siteFileSchema.parse({ id: s.site, name: `Fleet ${s.kind} school ${s.index + 1}`, devices: siteDevices(s, POLL_MS / 1000) }));
const config = alertsConfigSchema.parse({ evaluateEvery: '5s', heartbeatTimeout: '180s' });
const store = new AlertStore(join(dir, 'alerts.db'));
const engine = createAlertEngine({ config, sites, store, log, now, channels: [] });
const learned = openLearnedState(join(dir, 'learned.sqlite'), log);
/**
 * CPU milliseconds (user and system, of the process: the engine's calls, and the garbage collection they
 * cause while they run) spent in the alert engine, taking samples in and in its turns. CPU rather than wall
 * time: this machine is shared, and a wall clock counts the others' work.
 */
const engineMs = { samples: 0, ticks: 0 };
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1_000;
};
const ingest = createIngest({
  writer: { write: () => undefined },
  log,
  now,
  learned,
  onAccepted: (b) => {
    const t = cpuMs();
    engine.samples(b.site, b.agent, b.samples);
    engineMs.samples += cpuMs() - t;
  },
});
const tick = () => {
  const t = cpuMs();
  engine.tick();
  engineMs.ticks += cpuMs() - t;
};
const seqs = new Map<string, number>();

/** The collector's engine turns every 5 s while a minute's polls arrive spread over it: by default a turn per twelfth of the schools. */
let peakHeap = 0;
const TICK_EVERY = Math.max(1, Math.ceil(schools / turns));

async function poll(n: number): Promise<{ samples: number; peakRss: number; feedPeakRss: number }> {
  let samples = 0;
  let peakRss = 0;
  let feedPeakRss = 0;
  for (const [i, s] of fleet.entries()) {
    const all = pollSamples(s, n, clock);
    for (let i = 0; i < all.length; i += BATCH_SAMPLES) {
      const seq = seqs.get(s.agent) ?? 0;
      seqs.set(s.agent, seq + 1);
      const batch: SamplesBatch = { v: WIRE_VERSION, agent: s.agent, site: s.site, seq, sentAt: clock + 500, samples: all.slice(i, i + BATCH_SAMPLES) };
      // The wire bytes, decoded as the collector decodes them: fresh objects and strings, as from MQTT.
      await ingest.handle(samplesTopic(s.site), encodeBatch(batch), { site: s.site, agent: s.agent });
    }
    samples += all.length;
    feedPeakRss = Math.max(feedPeakRss, process.memoryUsage.rss());
    peakHeap = Math.max(peakHeap, getHeapStatistics().total_heap_size);
    if ((i + 1) % TICK_EVERY === 0 || i === fleet.length - 1) {
      tick();
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }
  }
  return { samples, peakRss: Math.max(peakRss, feedPeakRss), feedPeakRss };
}

// The bench's own caches (schools.ts' tag sets, batch.ts' encoded prefixes) are made before the baseline:
// they are the simulated agents' memory, not the collector's.
for (const s of fleet) encodeBatch({ v: WIRE_VERSION, agent: s.agent, site: s.site, seq: 0, sentAt: clock, samples: pollSamples(s, 0, clock) });
const base = live();
const rssBefore = process.memoryUsage.rss();
const first = await poll(0);
const createdPeakRss = Math.max(first.peakRss, rssHwm());
const peakHeapFirst = peakHeap;
const afterFirst = live();
const firstEngineMs = { ...engineMs };
for (let n = 1; n < polls; n++) {
  clock += POLL_MS;
  await poll(n);
}
const afterPolls = live();
const series = fleet.reduce((sum, s) => sum + ingest.seriesUsed(s.site), 0);
if (snapshotFile !== undefined) writeHeapSnapshot(snapshotFile);
const out = {
  schools,
  polls,
  turnsPerPoll: turns,
  series,
  samplesPerPoll: first.samples,
  baseHeapMiB: +(base / 2 ** 20).toFixed(1),
  liveHeapMiB: +(afterPolls / 2 ** 20).toFixed(1),
  bytesPerSeries: Math.round((afterPolls - base) / series),
  bytesPerSeriesAfterFirstPoll: Math.round((afterFirst - base) / series),
  rssBeforeMiB: +(rssBefore / 2 ** 20).toFixed(1),
  peakRssWhileCreatingMiB: +(createdPeakRss / 2 ** 20).toFixed(1),
  /** What the first poll added to RSS at its highest: the bench's own caches are in rssBefore. */
  /** V8's heap (live and garbage) at its largest during the first poll. */
  peakHeapWhileCreatingMiB: +(peakHeapFirst / 2 ** 20).toFixed(1),
  creationRssRiseMiB: +((createdPeakRss - rssBefore) / 2 ** 20).toFixed(1),
  peakRssMiB: +(rssHwm() / 2 ** 20).toFixed(1),
  /** The alert engine's time in the first poll (every series new) and in each later poll on average. */
  engineFirstPollMs: Math.round(firstEngineMs.samples + firstEngineMs.ticks),
  engineFirstPollTurnsMs: Math.round(firstEngineMs.ticks),
  engineLaterPollMs: polls > 1 ? Math.round((engineMs.samples + engineMs.ticks - firstEngineMs.samples - firstEngineMs.ticks) / (polls - 1)) : undefined,
  alerts: engine.alerts().length,
  evaluations: engine.stats().evaluations,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
engine.stop();
learned.close();
store.close();
rmSync(dir, { recursive: true, force: true });
