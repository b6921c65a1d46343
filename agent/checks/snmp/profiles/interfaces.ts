import { interfaceSamples, type InterfaceReading } from '../interface-samples.ts';
import { readInterfaces } from '../interfaces.ts';
import type { Profile } from './profile.ts';

/**
 * IF-MIB (RFC 2863), polled on every device: `interface` samples (see interface-samples.ts) with the
 * ifName/ifDescr as `interface` and the ifAlias as `alias`. Keeps the counters for the next poll's rates.
 */
export const interfacesProfile: Profile = {
  name: 'interfaces',
  probes: [],
  detect: () => true,
  async poll(session, ctx) {
    const rows = await readInterfaces(session);
    const at = ctx.now();
    const result = interfaceSamples({
      device: ctx.device,
      rows,
      at,
      uptimeCs: ctx.system.uptimeCs,
      previous: ctx.previous instanceof Map ? (ctx.previous as Map<number, InterfaceReading>) : undefined,
      tags: ctx.tags,
    });
    return { samples: result.samples, summary: { interfaces: rows.length }, keep: result.readings };
  },
};
