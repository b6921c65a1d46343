import { WIRE_VERSION, type DeviceEvent, type Sample } from '../../contract/index.ts';

/**
 * Watches the ping and SNMP results as checks produce them and tells the collector at once when a
 * device stops answering or answers again, so an alert need not wait for the next batch. The first result
 * of a device is news only if it is down (the collector has no older state to compare with).
 */
export class DeviceEventWatch {
  private readonly last = new Map<string, 'up' | 'down'>();

  constructor(private readonly o: { agent: string; site: string; publish(event: DeviceEvent): void }) {}

  observe(samples: readonly Sample[]): void {
    for (const s of samples) {
      if (s.measurement !== 'ping' && s.measurement !== 'snmp') continue;
      const device = s.tags.device;
      const up = s.fields.up;
      if (device === undefined || typeof up !== 'number') continue;
      const state = up === 1 ? 'up' : 'down';
      const key = `${s.measurement}/${device}`;
      const before = this.last.get(key);
      this.last.set(key, state);
      if (before === state || (before === undefined && state === 'up')) continue;
      this.o.publish({ v: WIRE_VERSION, agent: this.o.agent, site: this.o.site, device, check: s.measurement, state, at: s.time });
    }
  }

  /** Forget a device that left the config, so a new one of the same name starts fresh. */
  keepOnly(devices: readonly string[]): void {
    const names = new Set(devices);
    for (const key of this.last.keys()) if (!names.has(key.slice(key.indexOf('/') + 1))) this.last.delete(key);
  }
}
