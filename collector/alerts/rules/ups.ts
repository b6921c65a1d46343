import { num, round, thresholdRule } from './rule.ts';

// The `ups` sample has the same fields whether the UPS speaks RFC 1628 UPS-MIB or APC PowerNet.
const whole = () => ({});

export const upsOnBattery = thresholdRule({
  id: 'ups-on-battery',
  measurement: 'ups',
  value: (s) => num(s, 'on_battery'),
  direction: 'above',
  subject: whole,
  describe: (_s, device, _v, _l, active) => `${device} is ${active ? 'on battery (mains power lost)' : 'on mains power'}`,
  unit: '',
});

export const upsBatteryLow = thresholdRule({
  id: 'ups-battery-low',
  measurement: 'ups',
  // upsBatteryStatus low (3) or depleted (4) counts as empty whatever the charge figure says.
  value: (s) => (s.fields.battery_status === 'low' || s.fields.battery_status === 'depleted' ? 0 : num(s, 'battery_pct')),
  direction: 'below',
  subject: whole,
  describe: (_s, device, value, limit) => `${device} battery at ${round(value, 0)} % (limit ${limit} %)`,
  unit: '%',
});

export const upsRuntimeLow = thresholdRule({
  id: 'ups-runtime-low',
  measurement: 'ups',
  value: (s) => num(s, 'runtime_min'),
  direction: 'below',
  subject: whole,
  describe: (_s, device, value, limit) => `${device} has ${round(value, 0)} minutes of runtime left (limit ${limit})`,
  unit: 'min',
});
