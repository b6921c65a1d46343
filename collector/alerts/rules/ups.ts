import type { Sample } from '../../../contract/index.ts';
import { conditionRule, num, round, thresholdRule, unknown, type Unknown } from './rule.ts';

// The `ups` sample has the same fields whether the UPS speaks RFC 1628 UPS-MIB or APC PowerNet:
// on_battery (0/1), output_source (RFC 1628 upsOutputSource by name: other, none, normal, bypass, battery,
// booster, reducer), battery_status, battery_pct, runtime_min.
const whole = () => ({});

/** The UPS's own word on where its output comes from; undefined when it gives none. */
const outputSource = (s: Sample): string | undefined => (typeof s.fields.output_source === 'string' ? s.fields.output_source : undefined);

/**
 * On battery: upsOutputSource battery(5) where the UPS gives it (it is the more precise object: booster
 * and reducer are mains with voltage correction), else the agent's on_battery flag (PowerNet output status,
 * or upsSecondsOnBattery above zero). Any other value is "on mains", never a threshold compared with 0.
 */
export const upsOnBattery = conditionRule({
  id: 'ups-on-battery',
  measurement: 'ups',
  subject: whole,
  holds: (s) => {
    const source = outputSource(s);
    if (source !== undefined && source !== 'other') return source === 'battery';
    const flag = num(s, 'on_battery');
    return flag === undefined ? undefined : flag === 1;
  },
  describe: (_s, device, active) => `${device} is ${active ? 'on battery (mains power lost)' : 'on mains power'}`,
});

/** RFC 1628 upsOutputSource bypass(4) or none(2): the load is fed without the battery behind it, or not at all. */
export const upsOutputUnprotected = conditionRule({
  id: 'ups-output-unprotected',
  measurement: 'ups',
  subject: whole,
  holds: (s) => {
    const source = outputSource(s);
    return source === undefined || source === 'other' ? undefined : source === 'bypass' || source === 'none';
  },
  describe: (_s, device, active, sample) =>
    active
      ? `${device} output is ${outputSource(sample) === 'none' ? 'off (output source none)' : 'on bypass'}: the load is not protected`
      : `${device} output is protected again (${outputSource(sample)})`,
});

/**
 * Values some firmware answers when it does not know: 0, and the largest 16-bit number. Taken as facts only
 * when the rest of what the UPS says agrees with them.
 */
const PLACEHOLDERS = new Set([0, 65_535]);

const BAD_BATTERY = new Set(['low', 'depleted', 'fault']);

/** The UPS says it is well: on mains, charge (nearly) full, no battery status saying otherwise. */
function saysHealthy(s: Sample): string | undefined {
  const onMains = outputSource(s) !== undefined ? outputSource(s) !== 'battery' : num(s, 'on_battery') === 0;
  const charge = num(s, 'battery_pct');
  const status = s.fields.battery_status;
  if (!onMains || (typeof status === 'string' && BAD_BATTERY.has(status)) || charge === undefined || charge < 95) return undefined;
  return `charge ${round(charge, 0)} %${typeof status === 'string' ? `, battery status ${status}` : ''}, on mains`;
}

/**
 * Minutes of runtime left, unless the UPS's own data contradicts it: a placeholder (0 or 65535) while it
 * says it is fully charged on mains with a normal battery is "unknown", not an empty battery. 65535 is
 * never taken as a real runtime (45 days).
 */
export function runtimeReading(s: Sample): number | Unknown | undefined {
  const minutes = num(s, 'runtime_min');
  if (minutes === undefined) return undefined;
  if (minutes >= 65_535) return unknown(`runtime ${minutes} min is the "not known" placeholder`);
  const healthy = saysHealthy(s);
  if (PLACEHOLDERS.has(minutes) && healthy !== undefined) return unknown(`runtime ${minutes} min contradicted by the UPS's own data (${healthy})`);
  return minutes;
}

/**
 * Charge left; upsBatteryStatus low (3) or depleted (4) counts as empty whatever the charge figure says.
 * A charge of 0 while the UPS says normal battery, on mains and has runtime left is a placeholder.
 */
export function chargeReading(s: Sample): number | Unknown | undefined {
  if (s.fields.battery_status === 'low' || s.fields.battery_status === 'depleted') return 0;
  const charge = num(s, 'battery_pct');
  if (charge === undefined) return undefined;
  const runtime = num(s, 'runtime_min');
  const onMains = outputSource(s) !== undefined ? outputSource(s) !== 'battery' : num(s, 'on_battery') === 0;
  if (charge === 0 && s.fields.battery_status === 'normal' && onMains && runtime !== undefined && runtime > 0 && runtime < 65_535) {
    return unknown(`charge 0 % contradicted by the UPS's own data (battery status normal, on mains, ${round(runtime, 0)} min runtime)`);
  }
  return charge;
}

export const upsBatteryLow = thresholdRule({
  id: 'ups-battery-low',
  measurement: 'ups',
  subject: whole,
  value: chargeReading,
  describe: (_s, device, value, limit) => `${device} battery at ${round(value, 0)} % (limit ${limit} %)`,
});

export const upsRuntimeLow = thresholdRule({
  id: 'ups-runtime-low',
  measurement: 'ups',
  subject: whole,
  value: runtimeReading,
  describe: (_s, device, value, limit) => `${device} has ${round(value, 0)} minutes of runtime left (limit ${limit})`,
});
