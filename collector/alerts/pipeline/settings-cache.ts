import type { Device, DeviceRole } from '../../../contract/index.ts';
import type { SiteFile } from '../../config/schema.ts';
import type { AlertsConfig } from '../config.ts';
import { ruleSettings, type RuleId, type RuleSettings } from '../rules/index.ts';

type ByRule = Map<RuleId, RuleSettings>;

/**
 * Settings resolved for devices without a layer of their own, shared by every site of a provider config
 * whose site-level rules read the same: by the site rules' text, then the device's role (or '' for the
 * site itself), then the rule. Keyed weakly by the provider config, so a reloaded config starts afresh.
 */
const shared = new WeakMap<AlertsConfig, Map<string, Map<string, ByRule>>>();

/**
 * One site's rule settings, resolved once and kept: the layers (rules/settings.ts) are the provider's and
 * the site's files, which do not change while the engine runs, and resolving them per device per rule per
 * evaluation was a measured share of the collector's CPU.
 *
 * A device's settings depend only on its role, unless the site file has a layer for that device by name
 * (`alerts.devices.<name>`). So devices without one share their role's settings, and sites with the same
 * site-level rules share them too: memory grows with the roles and the devices that have their own layer,
 * not with every device of every school (one frozen object per device and rule was ~17 MiB at 300 schools).
 */
export function cachedSettings(config: AlertsConfig, site: SiteFile): (rule: RuleId, device?: Pick<Device, 'name' | 'role'>) => RuleSettings {
  let bySiteRules = shared.get(config);
  if (bySiteRules === undefined) shared.set(config, (bySiteRules = new Map()));
  const siteRulesText = JSON.stringify(site.alerts.rules ?? {});
  let byRole = bySiteRules.get(siteRulesText);
  if (byRole === undefined) bySiteRules.set(siteRulesText, (byRole = new Map()));
  const roles = byRole;
  // Devices with a layer of their own, by name (own keys only: a device named "constructor" is a name).
  const own = new Map<string, ByRule>();
  const ownLayers = site.alerts.devices ?? {};
  return (rule, device) => {
    let byRule: ByRule | undefined;
    if (device !== undefined && Object.hasOwn(ownLayers, device.name)) {
      byRule = own.get(device.name);
      if (byRule === undefined) own.set(device.name, (byRule = new Map()));
    } else {
      const key: DeviceRole | '' = device === undefined ? '' : device.role;
      byRule = roles.get(key);
      if (byRule === undefined) roles.set(key, (byRule = new Map()));
    }
    let s = byRule.get(rule);
    if (s === undefined) byRule.set(rule, (s = Object.freeze(ruleSettings(rule, config, site.alerts, device))));
    return s;
  };
}
