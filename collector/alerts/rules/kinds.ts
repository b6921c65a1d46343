import type { RuleId } from './ids.ts';

/** The units a threshold is written in; a threshold in another unit is a config error. */
export type ThresholdUnit = '%' | 'ms' | 'errors/s' | 'min' | 'h';

/** A rule that compares one number with a limit the provider sets. */
export interface ThresholdKind {
  kind: 'threshold';
  unit: ThresholdUnit;
  /** above: fires at or over the threshold; below: at or under it. */
  direction: 'above' | 'below';
  /** The range a threshold must lie in (both ends allowed). */
  min: number;
  max: number;
  /** What is compared, for `alerts rules` and the docs: "% of echo requests unanswered". */
  measures: string;
}

/** A rule that fires on a state the device reports (a boolean or an enumeration), never on a number. */
export interface ConditionKind {
  kind: 'condition';
  /** When it fires, in the provider's words and the MIB's. */
  fires: string;
}

export type RuleKind = ThresholdKind | ConditionKind;

const threshold = (unit: ThresholdUnit, direction: ThresholdKind['direction'], min: number, max: number, measures: string): ThresholdKind => ({
  kind: 'threshold',
  unit,
  direction,
  min,
  max,
  measures,
});
const condition = (fires: string): ConditionKind => ({ kind: 'condition', fires });

/**
 * What each rule fires on. A condition rule has no threshold (setting one is a config error); a threshold
 * rule must have one, in its unit and range, at every layer that sets it. Ranges exclude the values that
 * would make a rule fire on every healthy device (0 % loss, 0 % disk used).
 */
export const RULE_KINDS: Readonly<Record<RuleId, RuleKind>> = {
  'site-offline': condition("every agent of the site said goodbye, its MQTT will fired, or it was not heard for alerts.heartbeatTimeout"),
  'device-down': condition('the deciding check (ping, else SNMP) gets no answer while every device it is reached through answers'),
  'high-loss': threshold('%', 'above', 1, 100, '% of echo requests unanswered, while the device answers'),
  'high-latency': threshold('ms', 'above', 1, 60_000, 'average round-trip time'),
  'snmp-not-answering': condition('SNMP gets no answer while ping does'),
  'agent-spool-drops': threshold('h', 'above', 1, 24 * 30, 'hours since the agent\'s spool last dropped samples (fires while it dropped within them)'),
  'agent-disk-full': threshold('%', 'above', 1, 100, '% of the agent\'s data disk used'),
  'interface-down': condition('an uplink\'s ifOperStatus is down(2), notPresent(6) or lowerLayerDown(7) while ifAdminStatus is up(1) (RFC 2863)'),
  'interface-errors': threshold('errors/s', 'above', 0.001, 1_000_000, 'errors per second, in + out'),
  'interface-utilisation': threshold('%', 'above', 1, 100, '% of the uplink\'s speed, the busier direction'),
  'printer-supply-low': threshold('%', 'below', 0, 99, '% left of a toner, ink or drum whose level is known as a percentage (RFC 3805)'),
  'printer-jam': condition('the printer says it is jammed: hrPrinterDetectedErrorState jammed(5) (RFC 3805), or a printerV2Alert jam trap newer than the poll'),
  'printer-door-open': condition('the printer says a door or cover is open: hrPrinterDetectedErrorState doorOpen(4) (RFC 3805), or a printerV2Alert cover/interlock/door open trap'),
  'printer-paper-out': condition('the printer says it has no paper: hrPrinterDetectedErrorState noPaper(1) (RFC 3805), or a printerV2Alert input empty trap'),
  'printer-toner-empty': condition('the printer says it has no toner: hrPrinterDetectedErrorState noToner(3) (RFC 3805), or a printerV2Alert marker supply empty trap'),
  'ups-on-battery': condition('the UPS says its output is on battery: upsOutputSource battery(5) (RFC 1628) or upsBasicOutputStatus onBattery(3) (PowerNet)'),
  'ups-output-unprotected': condition('the UPS output is on bypass(4) or off, none(2) (RFC 1628 upsOutputSource): the load has no battery behind it'),
  'ups-battery-low': threshold('%', 'below', 0, 99, '% charge left (or the UPS says its battery is low or depleted)'),
  'ups-runtime-low': threshold('min', 'below', 0, 600, 'minutes of runtime left, where the rest of the UPS\'s data does not contradict it'),
  'storage-full': threshold('%', 'above', 1, 100, '% used of a real disk (hrStorageFixedDisk, not RAM-backed or virtual)'),
  'cpu-high': threshold('%', 'above', 1, 100, '% processor load, the mean of the processors'),
  'agent-data-refused': threshold('h', 'above', 1, 24 * 30, 'hours since the collector last refused 20 or more of the agent\'s samples, messages or packets within 10 minutes (fires while it did within them)'),
  'site-series-budget': threshold('h', 'above', 1, 24 * 30, 'hours since the collector last refused a new series of the school for its series budget (fires while it did within them)'),
  'neighbour-changed': threshold('h', 'above', 1, 24 * 30, 'hours since the LLDP/CDP neighbour on a port changed, or a neighbour moved to another port (a notice while within them)'),
};

const UNIT_PATTERN = /^\s*(-?\d+(?:\.\d+)?)\s*(%|ms|errors\/s|min|h)\s*$/;

/**
 * A threshold as written in config (a number, or a number with its unit: 90, "90%", "250ms", "10min")
 * checked against the rule's unit and range: the number, or why it is not acceptable.
 */
export function readThreshold(rule: RuleId, value: number | string): { ok: true; value: number } | { ok: false; reason: string } {
  const kind = RULE_KINDS[rule];
  if (kind.kind === 'condition') return { ok: false, reason: `${rule} has no threshold: it fires when ${kind.fires}` };
  let n: number;
  if (typeof value === 'number') n = value;
  else {
    const m = UNIT_PATTERN.exec(value);
    if (m === null) return { ok: false, reason: `expected a number in ${kind.unit}, such as ${kind.max}, got "${value}"` };
    if (m[2] !== kind.unit) return { ok: false, reason: `expected ${kind.unit} (${kind.measures}), got "${value}"` };
    n = Number(m[1]);
  }
  if (!Number.isFinite(n) || n < kind.min || n > kind.max) return { ok: false, reason: `expected ${kind.min}–${kind.max} ${kind.unit} (${kind.measures}), got ${typeof value === 'number' ? value : `"${value}"`}` };
  return { ok: true, value: n };
}
