import type { DeviceRole } from '../../../contract/index.ts';
import { durationMs, type AlertsConfig, type RuleSettingsInput, type RulesOverride, type SiteAlerts } from '../config.ts';
import { ROLE_DEFAULTS, RULE_DEFAULTS } from './defaults.ts';
import type { RuleId } from './ids.ts';
import { RULE_KINDS } from './kinds.ts';

/** A rule's settings for one subject, every layer applied. */
export interface RuleSettings {
  enabled: boolean;
  forMs: number;
  /** The pending time when a trap states the fault (`trapFor`, default 0s). */
  trapForMs: number;
  severity: 'critical' | 'warning' | 'info';
  period: 'always' | 'school-hours';
  /** The limit of a threshold rule, in its unit (kinds.ts); undefined for a condition rule. */
  threshold: number | undefined;
}

/** Where a setting's value came from, later layers winning. */
export type SettingSource = 'default' | 'role default' | 'provider' | 'provider role' | 'site' | 'device';
export type SettingKey = 'enabled' | 'for' | 'trapFor' | 'severity' | 'period' | 'threshold';

/** A trap states a fault the device itself saw: by default it pages without a pending time. */
const TRAP_FOR_DEFAULT = '0s';

/** A threshold rule that ends up without a threshold: a programming error in the defaults, never a silent 0. */
export class MissingThresholdError extends Error {
  override name = 'MissingThresholdError';
}

/**
 * Layers, later wins: built-in default, built-in role default, provider (`alerts.rules`), provider role
 * (`alerts.roles`), site (`alerts.rules` in the site file), device (`alerts.devices.<name>`). Returns the
 * settings and, per setting, the layer its value came from (for `alerts rules`).
 */
export function explainRuleSettings(
  rule: RuleId,
  provider: AlertsConfig,
  site: SiteAlerts,
  device?: { name: string; role: DeviceRole },
): { settings: RuleSettings; from: Record<SettingKey, SettingSource> } {
  const layers: [SettingSource, RulesOverride | undefined][] = [
    ['role default', device ? ROLE_DEFAULTS[device.role] : undefined],
    ['provider', provider.rules],
    ['provider role', device ? provider.roles[device.role] : undefined],
    ['site', site.rules],
    ['device', device ? site.devices[device.name] : undefined],
  ];
  const merged: RuleSettingsInput = { ...RULE_DEFAULTS[rule] };
  const from: Record<SettingKey, SettingSource> = { enabled: 'default', for: 'default', trapFor: 'default', severity: 'default', period: 'default', threshold: 'default' };
  for (const [source, layer] of layers) {
    const own = layer?.[rule];
    if (own === undefined) continue;
    for (const key of Object.keys(own) as SettingKey[]) if (own[key] !== undefined) from[key] = source;
    Object.assign(merged, own);
  }
  const kind = RULE_KINDS[rule];
  if (kind.kind === 'threshold' && merged.threshold === undefined) throw new MissingThresholdError(`rule ${rule}: no threshold at any layer`);
  const d = RULE_DEFAULTS[rule];
  return {
    settings: {
      enabled: merged.enabled ?? d.enabled,
      forMs: durationMs(merged.for ?? d.for),
      trapForMs: durationMs(merged.trapFor ?? TRAP_FOR_DEFAULT),
      severity: merged.severity ?? d.severity,
      period: merged.period ?? d.period,
      threshold: kind.kind === 'threshold' ? merged.threshold : undefined,
    },
    from,
  };
}

export function ruleSettings(rule: RuleId, provider: AlertsConfig, site: SiteAlerts, device?: { name: string; role: DeviceRole }): RuleSettings {
  return explainRuleSettings(rule, provider, site, device).settings;
}

/** A threshold rule's limit; throws (never defaults) when there is none, which validation at load rules out. */
export function limitOf(rule: RuleId, settings: RuleSettings): number {
  if (settings.threshold === undefined) throw new MissingThresholdError(`rule ${rule}: no threshold`);
  return settings.threshold;
}
