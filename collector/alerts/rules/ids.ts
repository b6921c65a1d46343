/** Every alert rule, by the id used in config files, records and notifications. */
export const RULE_IDS = [
  'site-offline',
  'device-down',
  'high-loss',
  'high-latency',
  'snmp-not-answering',
  'agent-spool-drops',
  'agent-disk-full',
  'interface-down',
  'interface-errors',
  'interface-utilisation',
  'printer-supply-low',
  'printer-jam',
  'printer-door-open',
  'printer-paper-out',
  'printer-toner-empty',
  'ups-on-battery',
  'ups-output-unprotected',
  'ups-battery-low',
  'ups-runtime-low',
  'storage-full',
  'cpu-high',
  'agent-data-refused',
  'site-series-budget',
  'neighbour-changed',
] as const;

export type RuleId = (typeof RULE_IDS)[number];
