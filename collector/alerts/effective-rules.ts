import type { AlertsConfig } from './config.ts';
import type { SiteFile } from '../config/schema.ts';
import { explainRuleSettings, RULE_IDS, RULE_KINDS, type RuleId, type SettingKey, type SettingSource } from './rules/index.ts';

/** One row of `alerts rules`: a rule for the whole site, or for one device where that differs. */
export interface EffectiveRule {
  rule: RuleId;
  /** undefined: the site (and every device without a row of its own). */
  device?: string;
  /** "enabled", "for 1m", "critical", "always", "threshold 90 %" / "fires when ...", each with its source. */
  values: { key: SettingKey; text: string; from: SettingSource }[];
}

const human = (ms: number): string => {
  if (ms === 0) return '0s';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
};

/**
 * The rule set in force for one site, every layer applied (built-in default, role default, provider,
 * provider role, site, device), with where each value came from. A device gets its own row only where it
 * differs from the site's: that keeps a school of forty access points readable.
 */
export function effectiveRules(config: AlertsConfig, site: SiteFile): EffectiveRule[] {
  const rows: EffectiveRule[] = [];
  for (const rule of RULE_IDS) {
    const kind = RULE_KINDS[rule];
    const describe = (device?: SiteFile['devices'][number]) => {
      const { settings, from } = explainRuleSettings(rule, config, site.alerts, device);
      const values: EffectiveRule['values'] = [
        { key: 'enabled', text: settings.enabled ? 'enabled' : 'disabled', from: from.enabled },
        { key: 'for', text: `for ${human(settings.forMs)}`, from: from.for },
        { key: 'trapFor', text: `after a trap ${human(settings.trapForMs)}`, from: from.trapFor },
        { key: 'severity', text: settings.severity, from: from.severity },
        { key: 'period', text: settings.period, from: from.period },
        kind.kind === 'threshold'
          ? { key: 'threshold', text: `threshold ${settings.threshold} ${kind.unit} (${kind.direction === 'above' ? 'at or over' : 'at or under'})`, from: from.threshold }
          : { key: 'threshold', text: `fires when ${kind.fires}`, from: 'default' },
      ];
      return values;
    };
    const siteValues = describe();
    rows.push({ rule, values: siteValues });
    const same = JSON.stringify(siteValues.map((v) => v.text));
    for (const device of site.devices) {
      const values = describe(device);
      if (JSON.stringify(values.map((v) => v.text)) !== same) rows.push({ rule, device: device.name, values });
    }
  }
  return rows;
}

/** `alerts rules` as text: one line per row, tab-separated, each value followed by its source in brackets. */
export function formatEffectiveRules(rows: readonly EffectiveRule[]): string[] {
  return rows.map((r) => [r.rule, r.device ?? '(site)', ...r.values.map((v) => (v.key === 'threshold' && v.text.startsWith('fires') ? v.text : `${v.text} [${v.from}]`))].join('\t'));
}
