/**
 * The drain's ingest path alone, in process: a region's spooled batches (bench/fleet's schools, as the agents
 * encode them) through createIngest with the real SQLite write-ahead log and a writer that takes the chunks
 * and answers at once. Prints µs of this process's CPU per point. `node --import tsx bench/support/drain-ingest.ts
 * [schools] [polls]`; add --cpu-prof to see where it goes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, samplesTopic } from '../../contract/index.ts';
import { createIngest } from '../../collector/ingest/ingest.ts';
import { createDurableLog } from '../../collector/wal/durable.ts';
import { SqliteWal } from '../../collector/wal/sqlite.ts';
import type { LineChunk } from '../../collector/storage/line.ts';
import { encodeBatch } from '../fleet/batch.ts';
import { pollSamples, school } from '../fleet/schools.ts';

const schools = Number(process.argv[2] ?? 60);
const polls = Number(process.argv[3] ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'drain-ingest-'));
const wal = new SqliteWal(join(dir, 'wal.db'));
const log = createLogger('bench', 'silent');
// Commits and their time: each is one fsync, synchronous on the event loop.
const commits = { n: 0, ms: 0 };
for (const method of ['append', 'appendUnsynced'] as const) {
  const original = wal[method]?.bind(wal);
  if (original === undefined) continue;
  wal[method] = (entries, sequences) => {
    const t = performance.now();
    try {
      return original(entries, sequences);
    } finally {
      commits.n += 1;
      commits.ms += performance.now() - t;
    }
  };
}
const durable = createDurableLog({
  wal,
  log,
  maxBytes: 1 << 30,
  target: { write: (c: LineChunk) => queueMicrotask(() => durable.written([c])) },
});
const ingest = createIngest({ writer: { write: () => undefined }, log, now: () => Date.now(), durable });
const at = Date.now() - polls * 60_000;
const messages: { topic: string; payload: Buffer; identity: { agent: string; site: string } }[] = [];
let points = 0;
for (let p = 0; p < polls; p++) {
  for (let i = 0; i < schools; i++) {
    const s = school(i);
    const samples = pollSamples(s, p, at + p * 60_000);
    points += samples.length;
    const agent = s.agent;
    messages.push({ topic: samplesTopic(s.site), payload: encodeBatch({ v: 1, agent, site: s.site, seq: p + 1, sentAt: at + p * 60_000, samples } as never), identity: { agent, site: s.site } });
  }
}
// DRAIN_PROFILE=file.cpuprofile: the timed part only, under the V8 profiler.
const profileTo = process.env.DRAIN_PROFILE;
const session = profileTo ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await Promise.all(messages.map((m) => ingest.handle(m.topic, m.payload, m.identity)));
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
if (session) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(profileTo!, JSON.stringify(profile));
}
const st = ingest.stats();
process.stdout.write(
  `${messages.length} messages, ${points} points (${st.acceptedSamples} accepted, rejects ${JSON.stringify(st.rejects)}): wall ${(wall / 1000).toFixed(2)} s, ` +
    `CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s = ${((cpu.user + cpu.system) / points).toFixed(1)} µs/point (${(wall * 1000 / points).toFixed(1)} µs wall); ${commits.n} commits, ${commits.ms.toFixed(0)} ms of the loop in them\n`,
);
wal.close();
rmSync(dir, { recursive: true, force: true });
