import { describe, expect, it } from 'vitest';
import type { DeviceEvent, Sample } from '../../contract/index.ts';
import { deviceEventSchema } from '../../contract/index.ts';
import { diskUsedPct } from './disk.ts';
import { DeviceEventWatch } from './device-events.ts';

const ping = (device: string, up: 0 | 1, time: number): Sample => ({ measurement: 'ping', tags: { device, role: 'switch' }, fields: { up }, time });

describe('device state-change events', () => {
  it('one event per change; a first result only when down', () => {
    const events: DeviceEvent[] = [];
    const watch = new DeviceEventWatch({ agent: 'np-1', site: 'np', publish: (e) => events.push(e) });
    const T = 1_800_000_000_000;
    watch.observe([ping('a', 1, T), ping('b', 0, T)]);
    watch.observe([ping('a', 1, T + 1), ping('b', 0, T + 1)]);
    watch.observe([ping('a', 0, T + 2), ping('b', 1, T + 2), { measurement: 'interface', tags: { device: 'a' }, fields: { up: 0 }, time: T }]);
    expect(events.map((e) => `${e.device} ${e.state} ${e.at - T}`)).toEqual(['b down 0', 'a down 2', 'b up 2']);
    for (const e of events) expect(deviceEventSchema.safeParse(e).success).toBe(true);
    watch.keepOnly(['b']);
    watch.observe([ping('a', 1, T + 3)]);
    expect(events).toHaveLength(3);
  });

  it('disk use of a real directory is a percentage', () => {
    const pct = diskUsedPct('.');
    expect(pct).toBeGreaterThanOrEqual(0);
    expect(pct).toBeLessThanOrEqual(100);
    expect(diskUsedPct('/no/such/dir')).toBeUndefined();
  });
});
