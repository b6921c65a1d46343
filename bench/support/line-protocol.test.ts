import { describe, expect, it } from 'vitest';
import { createLogger, encodeMessage, samplesTopic, type Sample, type SamplesBatch } from '../../contract/index.ts';
import { createIngest } from '../../collector/ingest/index.ts';
import { createInfluxWriter } from '../../collector/storage/index.ts';
import { buildFleet } from './fleet.ts';
import { sampleLine } from './line-protocol.ts';
import { startStubInflux } from './stub-influx.ts';

/** What the collector POSTs for these samples of this site (its ingest, then its writer), line by line. */
async function collectorLines(site: string, samples: Sample[]): Promise<string[]> {
  const stub = await startStubInflux('bench', { keepBodies: true });
  try {
    const log = createLogger('test', 'silent');
    const writer = createInfluxWriter({ url: stub.url, database: 'bench', batchSize: 1_000, flushIntervalMs: 1_000, log });
    await writer.start();
    const identity = { agent: `${site}-1`, site };
    const ingest = createIngest({ writer, log, now: Date.now });
    const batch: SamplesBatch = { v: 1, ...identity, seq: 0, sentAt: samples[0]!.time, samples };
    await ingest.handle(samplesTopic(site), encodeMessage(batch), identity);
    expect(ingest.stats().acceptedSamples).toBe(samples.length);
    await writer.stop();
    return stub.bodies.flatMap((b) => b.split('\n'));
  } finally {
    await stub.close();
  }
}

// Recent times: the collector refuses samples older than its window (collector/ingest, maxSampleAgeHours).
const START = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;

describe('the reference writes what the collector writes', () => {
  it('gives the same line as the collector for every sample of a school', async () => {
    const [school] = buildFleet({ sites: 1, snmpDevices: 2, interfacesPerDevice: 3, pingOnlyDevices: 2, polls: 2, pollIntervalMs: 60_000, start: START });
    const { site, samples } = school!;
    expect(samples).toHaveLength(2 * (2 * 4 + 2));
    expect(samples.map((s) => sampleLine(site, s))).toEqual(await collectorLines(site, samples));
  });

  it('escapes as the collector does', async () => {
    const odd: Sample = {
      measurement: 'device_info',
      tags: { device: 'hall ap, 2=b', role: 'access-point' },
      fields: { descr: 'say "hi" C:\\ it\'s', up: true, ratio: 0.1 },
      time: START + 7,
    };
    expect([sampleLine('north-primary', odd)]).toEqual(await collectorLines('north-primary', [odd]));
  });

  it('gives every sample of the fleet its own series and time, so none overwrites another', () => {
    const fleet = buildFleet({ sites: 3, snmpDevices: 6, interfacesPerDevice: 16, pingOnlyDevices: 4, polls: 3, pollIntervalMs: 60_000, start: Date.UTC(2025, 8, 1) });
    const keys = fleet.flatMap(({ site, samples }) => samples.map((s) => sampleLine(site, s).replace(/ .* /, ' ')));
    expect(new Set(keys).size).toBe(3 * 3 * (6 * 17 + 4));
  });
});
