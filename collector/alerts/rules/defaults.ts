import type { DeviceRole } from '../../../contract/index.ts';
import type { RuleSettingsInput, RulesOverride } from '../config.ts';
import type { RuleId } from './ids.ts';

type Defaults = Required<Pick<RuleSettingsInput, 'enabled' | 'for' | 'severity' | 'period'>> & Pick<RuleSettingsInput, 'threshold'>;

const on = (f: string, severity: Defaults['severity'], threshold?: number, period: Defaults['period'] = 'always'): Defaults => ({
  enabled: true,
  for: f,
  severity,
  period,
  ...(threshold !== undefined ? { threshold } : {}),
});

/** The built-in defaults (the README's rules table is written from this). */
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
  /** 1 = the link is down (the value is 0 or 1; a threshold of 0 would fire on every link that is up). */
  'interface-down': on('1m', 'critical', 1),
  /** Errors per second, in + out. */
  'interface-errors': on('10m', 'warning', 1),
  /** % of the link's speed, the busier direction. */
  'interface-utilisation': on('15m', 'warning', 90),
  /** % left of a toner, ink or drum. */
  'printer-supply-low': on('0s', 'info', 10, 'school-hours'),
  /** 1 = on battery (0 or 1, as interface-down). */
  'ups-on-battery': on('1m', 'critical', 1),
  /** % charge left. */
  'ups-battery-low': on('0s', 'critical', 30),
  /** Minutes of runtime left. */
  'ups-runtime-low': on('0s', 'critical', 10),
  /** % of a fixed disk used. */
  'storage-full': on('15m', 'warning', 90),
  /** % processor load, the mean of the processors. */
  'cpu-high': on('15m', 'warning', 90),
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
