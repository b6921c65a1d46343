import { num, round, thresholdRule } from './rule.ts';

/** RFC 3805 prtMarkerSupplies: a supply whose level is known as a percentage, at or under the threshold. */
export const printerSupplyLow = thresholdRule({
  id: 'printer-supply-low',
  measurement: 'printer_supply',
  value: (s) => (s.fields.level_state === 'percent' ? num(s, 'level_pct') : undefined),
  subject: (s) => (s.tags.supply !== undefined ? { instance: s.tags.supply } : undefined),
  describe: (sub, device, value, limit) => `${device} ${sub.instance} at ${round(value, 0)} % (limit ${limit} %)`,
});
