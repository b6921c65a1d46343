import type { Device } from '../../../contract/index.ts';
import type { Finding, Rule, RuleContext } from '../rules/index.ts';
import { alertKey, type AlertSubject } from './alert.ts';

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
      const subject: AlertSubject = {
        rule: rule.id,
        site: ctx.site.id,
        ...(f.device !== undefined ? { device: f.device } : {}),
        ...(f.interface !== undefined ? { interface: f.interface } : {}),
        ...(f.instance !== undefined ? { instance: f.instance } : {}),
      };
      const settings = ctx.settings(rule.id, f.device !== undefined ? byName.get(f.device) : undefined);
      return { ...f, ...subject, key: alertKey(subject), forMs: settings.forMs, severity: settings.severity, period: settings.period };
    }),
  );
}
