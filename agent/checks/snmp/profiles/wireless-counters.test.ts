import { describe, expect, it } from 'vitest';
import { memorySession } from '../../../../test/harness/memory-session.ts';
import { createLogger, deviceSchema } from '../../../../contract/index.ts';
import { readSystem } from '../system.ts';
import { detectDevice } from './detect.ts';
import { PROFILES } from './index.ts';
import type { ProfilePoll } from './profile.ts';

const T = 1_750_000_000_000;
const SYSTEM = ['1.3.6.1.2.1.1.1.0|4|test device', '1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.99999.1', '1.3.6.1.2.1.1.5.0|4|hall-ap'];

/** The recording polled as the agent does: detection, then every chosen profile; the Wi-Fi part of it. */
async function poll(lines: string[]): Promise<{ profiles: string[]; total: unknown; samples: ProfilePoll['samples'] }> {
  const session = memorySession([...SYSTEM, ...lines].join('\n'));
  const system = await readSystem(session);
  const result = await detectDevice(session, system, PROFILES, { deadline: Number.POSITIVE_INFINITY, now: () => T });
  if (!('detection' in result)) throw new Error('detection did not finish');
  const device = deviceSchema.parse({ name: 'hall-ap', address: '127.0.0.1' });
  const out = { profiles: [] as string[], total: undefined as unknown, samples: [] as ProfilePoll['samples'] };
  for (const profile of result.detection.profiles) {
    const p = await profile.poll(session, { device, system, tags: { device: 'hall-ap' }, now: () => T, log: createLogger('test', 'silent'), previous: undefined });
    if (p.summary?.wireless_clients !== undefined) {
      out.profiles.push(profile.name);
      out.total = p.summary.wireless_clients;
    }
    out.samples.push(...p.samples.filter((s) => s.measurement === 'wireless'));
  }
  return out;
}

describe('Wi-Fi clients from vendor counters', () => {
  it('a controller total (HiveOS ahClientCount) is the device total, as one sample', async () => {
    const r = await poll(['1.3.6.1.4.1.26928.1.2.9.0|2|37']);
    expect(r).toEqual({ profiles: ['aerohive_clients'], total: 37, samples: [{ measurement: 'wireless', tags: { device: 'hall-ap', ap: 'hall-ap', radio: 'all' }, fields: { clients: 37 }, time: T }] });
  });

  it('zero clients is a reading, not an absence', async () => {
    expect((await poll(['1.3.6.1.4.1.12356.101.14.2.7.0|66|0'])).total).toBe(0);
  });

  it('a per-interface column (MikroTik mtxrWlApClientCount) is summed, each row stored', async () => {
    const r = await poll(['1.3.6.1.4.1.14988.1.1.1.3.1.6.7|65|5', '1.3.6.1.4.1.14988.1.1.1.3.1.6.8|65|12']);
    expect(r.total).toBe(17);
    expect(r.samples.map((s) => [s.tags.radio, s.fields.clients])).toEqual([['7', 5], ['8', 12]]);
  });

  it('Ruckus AP radios carry their band', async () => {
    const r = await poll(['1.3.6.1.4.1.25053.1.1.12.1.1.1.3.1.2.1|66|3', '1.3.6.1.4.1.25053.1.1.12.1.1.1.3.1.2.2|66|4']);
    expect(r.samples.map((s) => s.tags.band)).toEqual(['2.4ghz', '5ghz']);
    expect(r.total).toBe(7);
  });

  it('stays quiet where no counter answers, or a neighbouring object does', async () => {
    expect(await poll([])).toEqual({ profiles: [], total: undefined, samples: [] });
    // ahClientCount's neighbour in AH-SYSTEM-MIB, not the counter itself.
    expect((await poll(['1.3.6.1.4.1.26928.1.2.10.0|2|5'])).total).toBeUndefined();
  });

  it('a counter of the wrong type is an error on the sample, not a number', async () => {
    const r = await poll(['1.3.6.1.4.1.26928.1.2.9.0|4|lots']);
    expect(r.total).toBeUndefined();
    expect(r.samples[0]?.fields).toEqual({ error: 'bad value in aerohive_clients' });
  });

  it('a device answering a per-AP table and a counter is counted once, from the table', async () => {
    const unifi = '1.3.6.1.4.1.41112.1.6.1.2.1';
    const r = await poll([`${unifi}.8.1|2|4`, `${unifi}.9.1|4|ng`, '1.3.6.1.4.1.41112.1.4.5.1.15.1|2|4']);
    expect(r).toMatchObject({ profiles: ['unifi'], total: 4 });
  });

  it('two counters: the first in the table wins', async () => {
    const r = await poll(['1.3.6.1.4.1.26928.1.2.9.0|2|3', '1.3.6.1.4.1.14988.1.1.1.3.1.6.1|65|9']);
    expect(r).toMatchObject({ profiles: ['aerohive_clients'], total: 3 });
  });

  it('Aruba Instant without aiRadioClientNum counts aiClientTable rows', async () => {
    const mac = '36.222.198.195.80.164';
    const r = await poll([
      `1.3.6.1.4.1.14823.2.3.3.1.2.1.1.2.${mac}|4|ap-1`,
      `1.3.6.1.4.1.14823.2.3.3.1.2.2.1.4.${mac}.0|4|36E`,
      `1.3.6.1.4.1.14823.2.3.3.1.2.4.1.1.1.2.3.4.5.6|4x|010203040506`,
      `1.3.6.1.4.1.14823.2.3.3.1.2.4.1.1.1.2.3.4.5.7|4x|010203040507`,
    ]);
    expect(r).toMatchObject({ profiles: ['aruba_instant'], total: 2 });
  });
});
