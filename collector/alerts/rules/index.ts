import { agentDiskFull, agentSpoolDrops } from './agent.ts';
import { cpuHigh, storageFull } from './host.ts';
import { agentDataRefused, siteSeriesBudget } from './ingest.ts';
import { interfaceDown, interfaceErrors, interfaceUtilisation } from './interface.ts';
import { neighbourChanged } from './neighbour-changed.ts';
import { printerSupplyLow } from './printer.ts';
import { printerDoorOpen, printerJam, printerPaperOut, printerTonerEmpty } from './printer-faults.ts';
import { deviceDown, highLatency, highLoss, snmpNotAnswering } from './reachability.ts';
import type { Rule } from './rule.ts';
import { siteOffline } from './site.ts';
import { upsBatteryLow, upsOnBattery, upsOutputUnprotected, upsRuntimeLow } from './ups.ts';

/** Every rule; a new measurement plugs in as one more module here. */
export const RULES: readonly Rule[] = [
  siteOffline,
  deviceDown,
  highLoss,
  highLatency,
  snmpNotAnswering,
  agentSpoolDrops,
  agentDiskFull,
  interfaceDown,
  interfaceErrors,
  interfaceUtilisation,
  printerSupplyLow,
  printerJam,
  printerDoorOpen,
  printerPaperOut,
  printerTonerEmpty,
  upsOnBattery,
  upsOutputUnprotected,
  upsBatteryLow,
  upsRuntimeLow,
  storageFull,
  cpuHigh,
  agentDataRefused,
  siteSeriesBudget,
  neighbourChanged,
];

export type { Fact, Finding, Rule, RuleContext, DeviceView } from './rule.ts';
export { RULE_IDS, type RuleId } from './ids.ts';
export { explainRuleSettings, limitOf, ruleSettings, MissingThresholdError, type RuleSettings, type SettingKey, type SettingSource } from './settings.ts';
export { RULE_KINDS, readThreshold, type RuleKind } from './kinds.ts';
export { RULE_DEFAULTS, ROLE_DEFAULTS } from './defaults.ts';
