import { describe, expect, it } from 'vitest';
import { memorySession } from '../../../../test/harness/memory-session.ts';
import { createLogger, deviceSchema, type Sample } from '../../../../contract/index.ts';
import { readSystem } from '../system.ts';
import { detectDevice } from './detect.ts';
import { PROFILES } from './index.ts';

const T = 1_750_000_000_000;
const SYSTEM = ['1.3.6.1.2.1.1.1.0|4|probe', '1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.99999.1'];

async function environment(lines: string[]): Promise<Sample[]> {
  const session = memorySession([...SYSTEM, ...lines].join('\n'));
  const system = await readSystem(session);
  const result = await detectDevice(session, system, PROFILES, { deadline: Number.POSITIVE_INFINITY, now: () => T });
  if (!('detection' in result)) throw new Error('detection did not finish');
  const device = deviceSchema.parse({ name: 'server-room', address: '127.0.0.1' });
  const out: Sample[] = [];
  for (const p of result.detection.profiles) {
    const poll = await p.poll(session, { device, system, tags: { device: 'server-room' }, now: () => T, log: createLogger('test', 'silent'), previous: undefined });
    out.push(...poll.samples.filter((s) => s.measurement === 'environment'));
  }
  return out;
}

const UIO = '1.3.6.1.4.1.318.1.1.25.1.2.1';
const AKCP_T = '1.3.6.1.4.1.3854.1.2.2.1.16.1';

describe('environment probes', () => {
  it('APC probe on a UPS card: temperature stored; humidity -1 means none, so not stored', async () => {
    const s = await environment(['1.3.6.1.4.1.318.1.1.25.1.1.0|2|1', `${UIO}.3.1.1|4|Server Room`, `${UIO}.6.1.1|2|24`, `${UIO}.7.1.1|2|-1`]);
    expect(s).toEqual([{ measurement: 'environment', tags: { device: 'server-room', sensor: 'Server Room', sensor_index: 'apc_uio.1.1' }, fields: { temperature_c: 24 }, time: T }]);
  });

  it('APC probe with humidity, including 0 % (a reading, not an absence)', async () => {
    const s = await environment(['1.3.6.1.4.1.318.1.1.25.1.1.0|2|1', `${UIO}.3.1.1|4|Cupboard`, `${UIO}.6.1.1|2|19`, `${UIO}.7.1.1|2|0`]);
    expect(s[0]?.fields).toEqual({ temperature_c: 19, humidity_pct: 0 });
  });

  it('AKCP: tenths, and ports whose status says no probe stay quiet', async () => {
    const s = await environment([
      `${AKCP_T}.1.0|4|Rack top`, `${AKCP_T}.1.1|4|Temperature2 Description`,
      `${AKCP_T}.4.0|2|2`, `${AKCP_T}.4.1|2|0`,
      `${AKCP_T}.14.0|2|234`, `${AKCP_T}.14.1|2|0`,
    ]);
    expect(s.map((x) => [x.tags.sensor, x.fields.temperature_c])).toEqual([['Rack top', 23.4]]);
  });

  it('a device without any probe table has no environment sample', async () => {
    expect(await environment(['1.3.6.1.4.1.318.1.1.1.1.1.1.0|4|Smart-UPS 750'])).toEqual([]);
  });

  it('a probe value of the wrong type is an error on the sample', async () => {
    const s = await environment(['1.3.6.1.4.1.318.1.1.25.1.1.0|2|1', `${UIO}.3.1.1|4|Hall`, `${UIO}.6.1.1|4|warm`]);
    expect(s[0]?.fields).toEqual({ error: 'bad value in temperature' });
  });
});
