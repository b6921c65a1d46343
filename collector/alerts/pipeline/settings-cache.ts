import type { Device } from '../../../contract/index.ts';
import type { SiteFile } from '../../config/schema.ts';
import type { AlertsConfig } from '../config.ts';
import { ruleSettings, type RuleId, type RuleSettings } from '../rules/index.ts';

/**
 * One site's rule settings, resolved once per (rule, device name, role) and kept: the layers
 * (rules/settings.ts) are the provider's and the site's files, which do not change while the engine runs,
 * and resolving them per device per rule per evaluation was a measured share of the collector's CPU.
 */
export function cachedSettings(config: AlertsConfig, site: SiteFile): (rule: RuleId, device?: Pick<Device, 'name' | 'role'>) => RuleSettings {
  // By device name, then rule: two lookups and no key to build (a device's role is fixed by the site file).
  const cache = new Map<string, Map<RuleId, RuleSettings>>();
  return (rule, device) => {
    const name = device === undefined ? '' : device.name;
    let byRule = cache.get(name);
    if (byRule === undefined) cache.set(name, (byRule = new Map()));
    let s = byRule.get(rule);
    if (s === undefined) byRule.set(rule, (s = Object.freeze(ruleSettings(rule, config, site.alerts, device))));
    return s;
  };
}
