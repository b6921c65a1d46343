import type { Device, FieldValue, Sample, SnmpCheckConfig } from '../../../contract/index.ts';
import { deviceTags, type Check, type CheckContext } from '../check.ts';
import { interfaceSamples, type InterfaceReading } from './interface-samples.ts';
import { readInterfaces, type InterfaceRow } from './interfaces.ts';
import { SnmpFailure, withSession } from './session.ts';
import { readSystem } from './system.ts';

/** The sample contract caps string fields at 4,096 characters. */
const MAX_STRING = 4_096;
/** Counters of a device not polled for this long are dropped (it left the site's list, or was renamed). */
const FORGET_AFTER_MS = 24 * 3_600_000;

interface DeviceState {
  /** Counters are only comparable when read from the same address, port and SNMP version. */
  target: string;
  at: number;
  interfaces: Map<number, InterfaceReading>;
}

/**
 * SNMP v1/v2c poll of the system group (RFC 3418) and the interface tables (RFC 2863). Keeps the last
 * counters per device and ifIndex between runs, so rates appear from the second poll on.
 * Samples: one `snmp` (up, response_ms, uptime_s, sys_*, interfaces) and one `interface` per interface;
 * a device that does not answer gives only the `snmp` sample with up 0 and an `error`.
 */
export function createSnmpCheck(): Check<SnmpCheckConfig> {
  const state = new Map<string, DeviceState>();

  return {
    kind: 'snmp',
    async run(device: Device, config: SnmpCheckConfig, ctx: CheckContext): Promise<Sample[]> {
      const started = ctx.now();
      for (const [name, s] of state) if (started - s.at > FORGET_AFTER_MS) state.delete(name);
      const target = `${device.address}:${config.port}/${config.version}`;
      const budgetMs = Math.max(config.intervalSeconds, config.timeoutSeconds * (config.retries + 1)) * 1000;
      const tags = deviceTags(device);
      try {
        return await withSession(device.address, config, { budgetMs }, async (session) => {
          const system = await readSystem(session);
          const systemAt = ctx.now();
          const fields: Record<string, FieldValue> = { up: 1, response_ms: systemAt - started };
          if (system.uptimeCs !== undefined) fields.uptime_s = system.uptimeCs / 100;
          if (system.descr !== undefined) fields.sys_descr = system.descr.slice(0, MAX_STRING);
          if (system.name !== undefined) fields.sys_name = system.name.slice(0, MAX_STRING);
          if (system.objectId !== undefined) fields.sys_object_id = system.objectId;

          let rows: InterfaceRow[];
          try {
            rows = await readInterfaces(session);
          } catch (error) {
            if (!(error instanceof SnmpFailure)) throw error;
            // The device is up but its interface table did not arrive whole: keep the old counters so
            // the next good poll gives a rate over the longer interval.
            ctx.log.warn({ device: device.name, check: 'snmp', reason: error.message }, 'interface tables not read');
            return [{ measurement: 'snmp', tags, fields: { ...fields, error: `interfaces: ${error.message}` }, time: systemAt }];
          }
          const at = ctx.now();
          const previous = state.get(device.name);
          const result = interfaceSamples({
            device,
            rows,
            at,
            uptimeCs: system.uptimeCs,
            previous: previous?.target === target ? previous.interfaces : undefined,
          });
          state.set(device.name, { target, at, interfaces: result.readings });
          fields.interfaces = rows.length;
          return [{ measurement: 'snmp', tags, fields, time: systemAt }, ...result.samples];
        });
      } catch (error) {
        if (!(error instanceof SnmpFailure)) throw error;
        ctx.log.debug({ device: device.name, check: 'snmp', reason: error.message }, 'no answer');
        return [{ measurement: 'snmp', tags, fields: { up: 0, error: error.message }, time: started }];
      }
    },
  };
}
