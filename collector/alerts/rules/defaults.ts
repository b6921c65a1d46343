import type { DeviceRole } from '../../../contract/index.ts';
import type { RuleSettingsInput, RulesOverride } from '../config.ts';
import type { RuleId } from './ids.ts';

type Defaults = Required<Pick<RuleSettingsInput, 'enabled' | 'for' | 'severity' | 'period'>> & Pick<RuleSettingsInput, 'threshold'>;

// A threshold rule's default threshold is in its unit and range, a condition rule has none: kinds.ts says
// which is which, and rules.test.ts holds every default to it.

const on = (f: string, severity: Defaults['severity'], threshold?: number, period: Defaults['period'] = 'always'): Defaults => ({
  enabled: true,
  for: f,
  severity,
  period,
  ...(threshold !== undefined ? { threshold } : {}),
});

/** The built-in defaults (docs/alerts.md's rules table is written from this). */
export const RULE_DEFAULTS: Readonly<Record<RuleId, Defaults>> = {
  'site-offline': on('2m', 'critical'),
  'device-down': on('1m', 'critical'),
  /** % of echo requests unanswered. */
  'high-loss': on('5m', 'warning', 20),
  /** Average round-trip time, ms. */
  'high-latency': on('5m', 'warning', 250),
  'snmp-not-answering': on('10m', 'warning'),
  /** Samples the agent's spool dropped within the last `threshold` hours. */
  'agent-spool-drops': on('0s', 'warning', 1),
  /** % of the agent's data disk used. */
  'agent-disk-full': on('15m', 'warning', 90),
  'interface-down': on('1m', 'critical'),
  /** Errors per second, in + out. */
  'interface-errors': on('10m', 'warning', 1),
  /** % of the link's speed, the busier direction. */
  'interface-utilisation': on('15m', 'warning', 90),
  /** % left of a toner, ink or drum. */
  'printer-supply-low': on('0s', 'info', 10, 'school-hours'),
  /** A jam, an open door, no paper, no toner: someone must go to the printer. A trap states it at once. */
  'printer-jam': on('2m', 'warning', undefined, 'school-hours'),
  'printer-door-open': on('2m', 'warning', undefined, 'school-hours'),
  'printer-paper-out': on('2m', 'warning', undefined, 'school-hours'),
  'printer-toner-empty': on('2m', 'warning', undefined, 'school-hours'),
  'ups-on-battery': on('1m', 'critical'),
  /** Output on bypass or off: the next mains blip, or this one, reaches the load. */
  'ups-output-unprotected': on('1m', 'critical'),
  /** % charge left. */
  'ups-battery-low': on('0s', 'critical', 30),
  /** Minutes of runtime left. */
  'ups-runtime-low': on('0s', 'critical', 10),
  /** % of a fixed disk used. */
  'storage-full': on('15m', 'warning', 90),
  /** % processor load, the mean of the processors. */
  'cpu-high': on('15m', 'warning', 90),
  /** Hours since the collector last refused any of the agent's data (collector/ingest). */
  'agent-data-refused': on('0s', 'warning', 1),
  /** Hours since a new series of the school was last refused for its budget. */
  'site-series-budget': on('0s', 'warning', 1),
  /** Hours a changed neighbour stays a notice: low priority (info), never a page. */
  'neighbour-changed': on('0s', 'info', 24),
};

/**
 * Per device role: what a device of that role means to a school. The internet link and the core always
 * page; an access point or a printer down is a warning, and a printer only while the school is open.
 */
export const ROLE_DEFAULTS: Readonly<Partial<Record<DeviceRole, RulesOverride>>> = {
  'access-point': { 'device-down': { severity: 'warning', for: '3m' } },
  printer: { 'device-down': { severity: 'warning', for: '5m', period: 'school-hours' } },
  switch: { 'device-down': { severity: 'warning' } },
  other: { 'device-down': { severity: 'warning', for: '5m' } },
  server: { 'cpu-high': { severity: 'warning' } },
};
