import { compiledDecoder, createLogger, decodeMessage, samplesBatchSchema, samplesTopic, type SamplesBatch } from '../contract/index.ts';
import { createIngest } from '../collector/ingest/index.ts';
import { createInfluxWriter, toChunk, type LineChunk } from '../collector/storage/index.ts';
import { postBodies } from './support/raw-writer.ts';
import { lineBodies, sampleLine } from './support/line-protocol.ts';
import { startStubInflux } from './support/stub-influx.ts';
import type { Workload } from './support/workload.ts';

/**
 * Where a point's CPU goes in the collector: each step of the ingest path timed alone, in this process,
 * on the bench's own messages, each beside the floor it cannot beat (JSON.parse; POSTing prepared text).
 * Everything runs on one thread, so wall time is CPU time, garbage collection included.
 */
export interface StageTiming {
  stage: string;
  usPerPoint: number;
}

const DATABASE = 'bench_stages';

/** Median wall time of `reps` runs after one warm-up run, in µs per point. */
async function time(points: number, reps: number, run: () => unknown): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return Math.round((times[Math.floor(reps / 2)]! * 1000 * 100) / points) / 100;
}

export async function runStages(w: Workload, { messages = 60, writeBatch = 5_000, writesInFlight = 2, reps = 3 } = {}): Promise<StageTiming[]> {
  const sample = w.agents.flatMap((a) => a.messages.slice(0, Math.ceil(messages / w.agents.length)).map((payload) => ({ ...a, payload })));
  const batches = sample.map(({ payload }) => {
    const decoded = decodeMessage(samplesBatchSchema, payload);
    if (!decoded.ok) throw new Error(decoded.reason);
    return decoded.value as SamplesBatch;
  });
  const points = batches.reduce((n, b) => n + b.samples.length, 0);
  const chunks: LineChunk[] = batches.map((b) => toChunk(b.samples, b.site));
  const decodeCompiled = compiledDecoder(samplesBatchSchema);
  const bodies = lineBodies(batches.flatMap((b) => b.samples.map((s) => sampleLine(b.site, s))), writeBatch);
  const log = createLogger('bench-stages', 'silent');
  const stub = await startStubInflux(DATABASE);
  try {
    const out: StageTiming[] = [];
    const stage = async (name: string, run: () => unknown) => out.push({ stage: name, usPerPoint: await time(points, reps, run) });

    await stage('JSON.parse only (floor)', () => {
      for (const { payload } of sample) JSON.parse(payload.toString('utf8'));
    });
    await stage('decodeMessage: JSON.parse + zod runtime', () => {
      for (const { payload } of sample) decodeMessage(samplesBatchSchema, payload);
    });
    await stage('compiled decoder: JSON.parse + z.compile', () => {
      for (const { payload } of sample) decodeCompiled(payload);
    });
    await stage('ingest.handle: decode, checks, lines', async () => {
      // A fresh ingest each run: a second one would take every batch for a replay and skip it.
      const ingest = createIngest({ writer: { write: () => undefined }, log, now: Date.now });
      for (const { site, agent, payload } of sample) await ingest.handle(samplesTopic(site), payload, { agent, site });
    });
    // The writer measures the length of each chunk, which flattens V8's rope of concatenated lines: count it here.
    await stage('toChunk alone: line protocol text, flattened', () => {
      for (const b of batches) Buffer.byteLength(toChunk(b.samples, b.site).text);
    });
    await stage(`writer: chunks → HTTP, ${writesInFlight} in flight (stub influxd)`, async () => {
      const writer = createInfluxWriter({ url: stub.url, database: DATABASE, batchSize: writeBatch, flushIntervalMs: 1_000, maxWritesInFlight: writesInFlight, log });
      await writer.start();
      for (const chunk of chunks) writer.write(chunk);
      await writer.flush();
      await writer.stop();
    });
    await stage(`POST prepared line text, ${writesInFlight} writers (floor)`, () => postBodies(stub.url, DATABASE, bodies, writesInFlight));
    return out;
  } finally {
    await stub.close();
  }
}
