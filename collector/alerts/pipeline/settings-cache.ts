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
  const cache = new Map<string, RuleSettings>();
  return (rule, device) => {
    const key = device === undefined ? rule : `${rule}\0${device.name}\0${device.role}`;
    let s = cache.get(key);
    if (s === undefined) cache.set(key, (s = Object.freeze(ruleSettings(rule, config, site.alerts, device))));
    return s;
  };
}
