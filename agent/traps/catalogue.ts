/**
 * The traps the agent knows by name: what each says about the device, in the provider's words. A trap
 * not listed here is still stored, as a raw `unknown` event with its OID and varbinds.
 *
 * `state`: fault (something is wrong now), clear (that fault is over), info (worth a line on the device's
 * history, nothing to alert on). Where a trap carries its subject in a varbind (an interface, a printer
 * alert's code), describe.ts reads it.
 */
export type TrapState = 'fault' | 'clear' | 'info';
export type TrapSeverity = 'critical' | 'warning' | 'info';

export interface KnownTrap {
  /** Kebab-case event name, stored as the `event` tag. */
  event: string;
  state: TrapState;
  severity: TrapSeverity;
  /** One line for a person: "mains power lost, running on battery". */
  text: string;
  /** For a clear: the fault event it ends (linkUp ends link-down). */
  clears?: string;
}

const k = (event: string, state: TrapState, severity: TrapSeverity, text: string, clears?: string): KnownTrap => ({
  event,
  state,
  severity,
  text,
  ...(clears !== undefined ? { clears } : {}),
});

// RFC 3418 / RFC 3584 §3.1: the generic traps of SNMPv1 as SNMPv2 notification OIDs (snmpTraps).
const SNMP_TRAPS = '1.3.6.1.6.3.1.1.5';
// RFC 1628 upsTraps (UPS-MIB, 1.3.6.1.2.1.33.2).
const UPS_TRAPS = '1.3.6.1.2.1.33.2';
// APC PowerNet-MIB: traps are apc (1.3.6.1.4.1.318) with specific numbers; as SNMPv2 OIDs, 318.0.<n>.
const APC = '1.3.6.1.4.1.318.0';

// CyberPower CPS-MIB (1.3.6.1.4.1.3808): SNMPv1 traps numbered as APC's PowerNet ones are.
const CYBERPOWER = '1.3.6.1.4.1.3808.0';
// RFC 3621 POWER-ETHERNET-MIB notifications (pethNotifications), sent by PoE switches of every make.
const PETH = '1.3.6.1.2.1.105.0';
// CISCO-ENVMON-MIB ciscoEnvMonNotifications.
const CISCO_ENVMON = '1.3.6.1.4.1.9.9.13.3.0';

export const PETH_PORT_ON_OFF = `${PETH}.1`;
export const PRINTER_V2_ALERT = '1.3.6.1.2.1.43.18.2.0.1';
export const UPS_ALARM_ENTRY_ADDED = `${UPS_TRAPS}.3`;
export const UPS_ALARM_ENTRY_REMOVED = `${UPS_TRAPS}.4`;

export const KNOWN_TRAPS: ReadonlyMap<string, KnownTrap> = new Map([
  [`${SNMP_TRAPS}.1`, k('cold-start', 'info', 'info', 'restarted (cold start)')],
  [`${SNMP_TRAPS}.2`, k('warm-start', 'info', 'info', 'restarted (warm start)')],
  [`${SNMP_TRAPS}.3`, k('link-down', 'fault', 'critical', 'link down')],
  [`${SNMP_TRAPS}.4`, k('link-up', 'clear', 'info', 'link up', 'link-down')],
  [`${SNMP_TRAPS}.5`, k('authentication-failure', 'info', 'warning', 'refused an SNMP request with a wrong community or user')],
  [`${UPS_TRAPS}.1`, k('ups-on-battery', 'fault', 'critical', 'mains power lost, running on battery')],
  [`${UPS_TRAPS}.2`, k('ups-test-completed', 'info', 'info', 'battery self-test completed')],
  [UPS_ALARM_ENTRY_ADDED, k('ups-alarm', 'fault', 'warning', 'alarm raised')],
  [UPS_ALARM_ENTRY_REMOVED, k('ups-alarm-cleared', 'clear', 'info', 'alarm cleared', 'ups-alarm')],
  [`${APC}.1`, k('ups-communication-lost', 'fault', 'warning', 'lost contact with the UPS')],
  [`${APC}.2`, k('ups-overload', 'fault', 'critical', 'output overloaded')],
  [`${APC}.3`, k('ups-self-test-failed', 'fault', 'warning', 'self-test failed')],
  [`${APC}.4`, k('ups-battery-discharged', 'fault', 'critical', 'battery discharged')],
  [`${APC}.5`, k('ups-on-battery', 'fault', 'critical', 'mains power lost, running on battery')],
  [`${APC}.7`, k('ups-battery-low', 'fault', 'critical', 'battery low')],
  [`${APC}.8`, k('ups-communication-established', 'clear', 'info', 'contact with the UPS restored', 'ups-communication-lost')],
  [`${APC}.9`, k('ups-on-mains', 'clear', 'info', 'mains power restored', 'ups-on-battery')],
  [`${APC}.10`, k('ups-self-test-passed', 'info', 'info', 'self-test passed')],
  [`${APC}.11`, k('ups-battery-ok', 'clear', 'info', 'battery no longer low', 'ups-battery-low')],
  [`${APC}.12`, k('ups-turned-off', 'fault', 'critical', 'turned off')],
  [`${CYBERPOWER}.1`, k('ups-communication-lost', 'fault', 'warning', 'lost contact with the UPS')],
  [`${CYBERPOWER}.2`, k('ups-overload', 'fault', 'critical', 'output overloaded')],
  [`${CYBERPOWER}.3`, k('ups-self-test-failed', 'fault', 'warning', 'self-test failed')],
  [`${CYBERPOWER}.4`, k('ups-battery-discharged', 'fault', 'critical', 'battery discharged')],
  [`${CYBERPOWER}.5`, k('ups-on-battery', 'fault', 'critical', 'mains power lost, running on battery')],
  [`${CYBERPOWER}.7`, k('ups-battery-low', 'fault', 'critical', 'battery low')],
  [`${CYBERPOWER}.8`, k('ups-communication-established', 'clear', 'info', 'contact with the UPS restored', 'ups-communication-lost')],
  [`${CYBERPOWER}.9`, k('ups-on-mains', 'clear', 'info', 'mains power restored', 'ups-on-battery')],
  [`${CYBERPOWER}.10`, k('ups-self-test-passed', 'info', 'info', 'self-test passed')],
  [`${CYBERPOWER}.11`, k('ups-battery-ok', 'clear', 'info', 'battery no longer low', 'ups-battery-low')],
  // RFC 3621: the switch's PoE budget crossed its usage threshold (pethMainPseUsageThreshold), and back.
  [`${PETH}.2`, k('poe-budget-high', 'fault', 'warning', 'PoE power drawn is over the switch\'s usage threshold')],
  [`${PETH}.3`, k('poe-budget-ok', 'clear', 'info', 'PoE power drawn is back under the usage threshold', 'poe-budget-high')],
  // RFC 4188 BRIDGE-MIB: spanning tree changed; a loop or a flapping link shows as many of these.
  ['1.3.6.1.2.1.17.0.1', k('stp-new-root', 'info', 'warning', 'became the spanning-tree root bridge')],
  ['1.3.6.1.2.1.17.0.2', k('stp-topology-change', 'info', 'info', 'spanning-tree topology changed')],
  // RFC 4133 ENTITY-MIB entConfigChange: a module, fan or power supply added or removed.
  ['1.3.6.1.2.1.47.2.0.1', k('hardware-changed', 'info', 'info', 'hardware inventory changed (a module, fan or power supply added or removed)')],
  // CISCO-CONFIG-MAN-MIB ciscoConfigManEvent: someone changed the running configuration.
  ['1.3.6.1.4.1.9.9.43.2.0.1', k('config-changed', 'info', 'info', 'configuration changed')],
  [`${CISCO_ENVMON}.1`, k('environment-shutdown', 'fault', 'critical', 'shutting down: an environmental limit was reached')],
  [`${CISCO_ENVMON}.2`, k('voltage-alarm', 'fault', 'warning', 'a voltage is outside its normal range')],
  [`${CISCO_ENVMON}.3`, k('temperature-alarm', 'fault', 'warning', 'a temperature is outside its normal range')],
  [`${CISCO_ENVMON}.4`, k('fan-failure', 'fault', 'warning', 'a fan failed')],
  [`${CISCO_ENVMON}.5`, k('power-supply-failure', 'fault', 'warning', 'a redundant power supply failed')],
]);

/** RFC 3621 pethPsePortDetectionStatus, carried by pethPsePortOnOffNotification. */
export const PETH_DETECTION: ReadonlyMap<number, { event: string; state: TrapState; text: string; clears?: string }> = new Map([
  [1, { event: 'poe-off', state: 'info', text: 'PoE disabled' }],
  [2, { event: 'poe-off', state: 'info', text: 'PoE off: nothing powered on the port' }],
  [3, { event: 'poe-on', state: 'clear', text: 'PoE delivering power', clears: 'poe-fault' }],
  [4, { event: 'poe-fault', state: 'fault', text: 'PoE fault' }],
  [6, { event: 'poe-fault', state: 'fault', text: 'PoE fault' }],
]);

/**
 * upsAlarmDescr values (RFC 1628 upsWellKnownAlarms, 1.3.6.1.2.1.33.1.6.3.N) carried by
 * upsTrapAlarmEntryAdded/Removed: the alarm's own name says more than "alarm raised".
 */
export const UPS_WELL_KNOWN_ALARMS: ReadonlyMap<string, { event: string; text: string }> = new Map([
  ['1.3.6.1.2.1.33.1.6.3.1', { event: 'ups-battery-bad', text: 'battery needs replacing' }],
  ['1.3.6.1.2.1.33.1.6.3.2', { event: 'ups-on-battery', text: 'mains power lost, running on battery' }],
  ['1.3.6.1.2.1.33.1.6.3.3', { event: 'ups-battery-low', text: 'battery low' }],
  ['1.3.6.1.2.1.33.1.6.3.4', { event: 'ups-battery-depleted', text: 'battery depleted' }],
  ['1.3.6.1.2.1.33.1.6.3.5', { event: 'ups-temperature-bad', text: 'temperature out of range' }],
  ['1.3.6.1.2.1.33.1.6.3.6', { event: 'ups-input-bad', text: 'input out of tolerance' }],
  ['1.3.6.1.2.1.33.1.6.3.7', { event: 'ups-output-bad', text: 'output out of tolerance' }],
  ['1.3.6.1.2.1.33.1.6.3.8', { event: 'ups-overload', text: 'output overloaded' }],
  ['1.3.6.1.2.1.33.1.6.3.9', { event: 'ups-on-bypass', text: 'on bypass: the load is not protected' }],
  ['1.3.6.1.2.1.33.1.6.3.10', { event: 'ups-bypass-bad', text: 'bypass out of tolerance' }],
  ['1.3.6.1.2.1.33.1.6.3.11', { event: 'ups-output-off', text: 'output turned off as requested' }],
  ['1.3.6.1.2.1.33.1.6.3.12', { event: 'ups-system-off', text: 'UPS turned off' }],
  ['1.3.6.1.2.1.33.1.6.3.13', { event: 'ups-charger-failed', text: 'charger failed' }],
  ['1.3.6.1.2.1.33.1.6.3.14', { event: 'ups-output-off', text: 'output off' }],
  ['1.3.6.1.2.1.33.1.6.3.15', { event: 'ups-system-off', text: 'UPS system off' }],
  ['1.3.6.1.2.1.33.1.6.3.16', { event: 'ups-fan-failure', text: 'fan failure' }],
  ['1.3.6.1.2.1.33.1.6.3.17', { event: 'ups-fuse-failure', text: 'fuse failure' }],
  ['1.3.6.1.2.1.33.1.6.3.18', { event: 'ups-general-fault', text: 'general fault' }],
  ['1.3.6.1.2.1.33.1.6.3.19', { event: 'ups-diagnostic-failed', text: 'self-test failed' }],
  ['1.3.6.1.2.1.33.1.6.3.20', { event: 'ups-communications-lost', text: 'lost contact with the UPS' }],
  ['1.3.6.1.2.1.33.1.6.3.21', { event: 'ups-awaiting-power', text: 'waiting for mains power to return' }],
  ['1.3.6.1.2.1.33.1.6.3.22', { event: 'ups-shutdown-pending', text: 'shutdown pending' }],
  ['1.3.6.1.2.1.33.1.6.3.23', { event: 'ups-shutdown-imminent', text: 'shutdown imminent' }],
  ['1.3.6.1.2.1.33.1.6.3.24', { event: 'ups-test-in-progress', text: 'self-test in progress' }],
]);

/**
 * Printer-MIB prtAlertCode (RFC 3805 PrtAlertCodeTC) values that mean a person must go to the printer,
 * and the events they become; a clear names the fault it ends. Codes not listed (configuration changes,
 * warming up, ...) are info.
 */
export const PRINTER_ALERT_CODES: ReadonlyMap<number, { event: string; state: TrapState; text: string; clears?: string }> = new Map([
  [3, { event: 'printer-door-open', state: 'fault', text: 'cover open' }],
  [4, { event: 'printer-door-closed', state: 'clear', text: 'cover closed', clears: 'printer-door-open' }],
  [5, { event: 'printer-door-open', state: 'fault', text: 'interlock open' }],
  [6, { event: 'printer-door-closed', state: 'clear', text: 'interlock closed', clears: 'printer-door-open' }],
  [8, { event: 'printer-jam', state: 'fault', text: 'paper jam' }],
  [13, { event: 'printer-supply-empty', state: 'fault', text: 'empty' }],
  [501, { event: 'printer-door-open', state: 'fault', text: 'door open' }],
  [502, { event: 'printer-door-closed', state: 'clear', text: 'door closed', clears: 'printer-door-open' }],
  [801, { event: 'printer-tray-missing', state: 'fault', text: 'input tray missing' }],
  [807, { event: 'printer-paper-low', state: 'info', text: 'paper low' }],
  [808, { event: 'printer-paper-out', state: 'fault', text: 'out of paper' }],
  [1101, { event: 'printer-toner-empty', state: 'fault', text: 'toner empty' }],
  [1102, { event: 'printer-toner-empty', state: 'fault', text: 'ink empty' }],
  [1104, { event: 'printer-toner-low', state: 'info', text: 'toner almost empty' }],
  [1105, { event: 'printer-toner-low', state: 'info', text: 'ink almost empty' }],
]);

/** prtAlertGroup (RFC 3805 PrtAlertGroupTC): which part of the printer an alert is about. */
export const PRINTER_ALERT_GROUPS: ReadonlyMap<number, string> = new Map([
  [6, 'cover'],
  [8, 'input tray'],
  [9, 'output tray'],
  [10, 'marker'],
  [11, 'supply'],
  [13, 'media path'],
]);
