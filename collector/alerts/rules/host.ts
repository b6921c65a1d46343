import { num, round, thresholdRule } from './rule.ts';

/** HOST-RESOURCES-MIB (RFC 2790) hrStorage rows of kind fixed disk. */
export const storageFull = thresholdRule({
  id: 'storage-full',
  measurement: 'host_storage',
  value: (s) => num(s, 'used_pct'),
  direction: 'above',
  subject: (s) => (s.tags.kind === 'fixed_disk' && s.tags.storage !== undefined ? { instance: s.tags.storage } : undefined),
  describe: (sub, device, value, limit) => `${device} ${sub.instance} is ${round(value, 0)} % full (limit ${limit} %)`,
  unit: '%',
});

/** hrProcessorLoad averaged over the processors; "sustained" is the rule's `for`. */
export const cpuHigh = thresholdRule({
  id: 'cpu-high',
  measurement: 'host',
  value: (s) => num(s, 'cpu_load_pct'),
  direction: 'above',
  subject: () => ({}),
  describe: (_s, device, value, limit) => `${device} CPU at ${round(value, 0)} % (limit ${limit} %)`,
  unit: '%',
});
