import type { Device, Sample } from '../../../contract/index.ts';
import type { SiteFile } from '../../config/schema.ts';
import type { AgentSeen } from '../observations.ts';
import type { DeviceState } from '../state/device-state.ts';
import type { SiteState } from '../state/site-state.ts';
import type { RuleId } from './ids.ts';
import type { RuleSettings } from './settings.ts';

export interface Fact {
  label: string;
  value: string;
}

export interface DeviceView {
  device: Device;
  state: DeviceState;
  /** The newest sample of each series of this measurement that is still fresh. */
  fresh(measurement: string): Sample[];
}

/** What a rule sees of one site at one instant. */
export interface RuleContext {
  site: SiteFile;
  now: number;
  siteState: { state: SiteState; since?: number };
  devices: readonly DeviceView[];
  agents: readonly AgentSeen[];
  settings(rule: RuleId, device?: Device): RuleSettings;
}

/**
 * A rule's verdict on one subject. active: the condition holds; clear: it does not (a firing alert
 * resolves); hold: it cannot be judged because something else explains it (the device is unreachable):
 * a pending alert is dropped, a firing one stays as it is. A subject with no finding (no data) stays as it is.
 */
export interface Finding {
  device?: string;
  interface?: string;
  /** What else tells subjects apart: a supply, a disk, an agent. */
  instance?: string;
  status: 'active' | 'clear' | 'hold';
  /** One line, without the time: "North Primary School: core-switch is down". */
  title: string;
  facts: Fact[];
  /** When the condition began, if the rule knows better than "when it was first seen". */
  since?: number;
}

/** One alert rule: a pure function of what the site looks like now. */
export interface Rule {
  id: RuleId;
  evaluate(ctx: RuleContext): Finding[];
}

export const num = (sample: Sample | undefined, field: string): number | undefined => {
  const v = sample?.fields[field];
  return typeof v === 'number' ? v : undefined;
};

export const round = (n: number, digits = 1): string => String(Math.round(n * 10 ** digits) / 10 ** digits);

export interface ThresholdRuleSpec {
  id: RuleId;
  measurement: string;
  /** The value compared with the threshold; undefined when this sample cannot say. */
  value(sample: Sample): number | undefined;
  /** above: alert at or over the threshold; below: at or under it. */
  direction: 'above' | 'below';
  /** Tells series of one device apart; undefined: this series is not this rule's business. */
  subject(sample: Sample, view: DeviceView, ctx: RuleContext): { interface?: string; instance?: string } | undefined;
  /** "office-printer: black toner at 4 %" (the site's name is put in front). */
  describe(subject: { interface?: string; instance?: string }, device: string, value: number, threshold: number, active: boolean): string;
  unit: string;
}

/**
 * The common shape: one fresh sample per series, one number compared with the rule's threshold. Devices
 * not answering are the device-down rule's business, so they give no findings here.
 */
export function thresholdRule(spec: ThresholdRuleSpec): Rule {
  return {
    id: spec.id,
    evaluate(ctx) {
      const findings: Finding[] = [];
      for (const view of ctx.devices) {
        if (view.state !== 'up' && view.state !== 'degraded') continue;
        const settings = ctx.settings(spec.id, view.device);
        if (!settings.enabled) continue;
        for (const sample of view.fresh(spec.measurement)) {
          const subject = spec.subject(sample, view, ctx);
          const value = subject && spec.value(sample);
          if (subject === undefined || value === undefined) continue;
          const active = spec.direction === 'above' ? value >= settings.threshold : value <= settings.threshold;
          findings.push({
            device: view.device.name,
            ...subject,
            status: active ? 'active' : 'clear',
            title: `${ctx.site.name}: ${spec.describe(subject, view.device.name, value, settings.threshold, active)}`,
            facts: [
              { label: 'Device', value: `${view.device.name} (${view.device.address})` },
              { label: 'Value', value: `${round(value)} ${spec.unit}` },
              { label: 'Threshold', value: `${settings.threshold} ${spec.unit}` },
            ],
          });
        }
      }
      return findings;
    },
  };
}
