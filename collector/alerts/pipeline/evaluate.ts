import type { Device } from '../../../contract/index.ts';
import type { Finding, Rule, RuleContext } from '../rules/index.ts';
import { alertKey, subjectOf, type AlertSubject } from './alert.ts';

/** A rule's finding with its rule, site, key and the settings that apply to its subject. */
export interface Evaluated extends Finding, AlertSubject {
  key: string;
  forMs: number;
  severity: 'critical' | 'warning' | 'info';
  period: 'always' | 'school-hours';
}

/** Stage 1: every rule over one site's view. */
export function evaluate(ctx: RuleContext, rules: readonly Rule[]): Evaluated[] {
  const byName = new Map<string, Device>(ctx.devices.map((v) => [v.device.name, v.device]));
  return rules.flatMap((rule) =>
    rule.evaluate(ctx).map((f): Evaluated => {
      const subject = subjectOf(rule.id, ctx.site.id, f);
      const settings = ctx.settings(rule.id, f.device !== undefined ? byName.get(f.device) : undefined);
      return { ...f, ...subject, key: alertKey(subject), forMs: f.fromTrap === true ? settings.trapForMs : settings.forMs, severity: settings.severity, period: settings.period };
    }),
  );
}
