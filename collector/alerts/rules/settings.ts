import type { DeviceRole } from '../../../contract/index.ts';
import { durationMs, type AlertsConfig, type RuleSettingsInput, type RulesOverride, type SiteAlerts } from '../config.ts';
import { ROLE_DEFAULTS, RULE_DEFAULTS } from './defaults.ts';
import type { RuleId } from './ids.ts';

/** A rule's settings for one subject, every layer applied. */
export interface RuleSettings {
  enabled: boolean;
  forMs: number;
  severity: 'critical' | 'warning' | 'info';
  period: 'always' | 'school-hours';
  threshold: number;
}

/**
 * Layers, later wins: built-in default, built-in role default, provider (`alerts.rules`), provider role
 * (`alerts.roles`), site (`alerts.rules` in the site file), device (`alerts.devices.<name>`).
 */
export function ruleSettings(rule: RuleId, provider: AlertsConfig, site: SiteAlerts, device?: { name: string; role: DeviceRole }): RuleSettings {
  const layers: (RulesOverride | undefined)[] = [
    device ? ROLE_DEFAULTS[device.role] : undefined,
    provider.rules,
    device ? provider.roles[device.role] : undefined,
    site.rules,
    device ? site.devices[device.name] : undefined,
  ];
  const merged: RuleSettingsInput = { ...RULE_DEFAULTS[rule] };
  for (const layer of layers) Object.assign(merged, layer?.[rule]);
  return {
    enabled: merged.enabled ?? true,
    forMs: durationMs(merged.for ?? '0s'),
    severity: merged.severity ?? 'warning',
    period: merged.period ?? 'always',
    threshold: merged.threshold ?? 0,
  };
}
