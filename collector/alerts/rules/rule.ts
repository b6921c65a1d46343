import type { Device, Sample } from '../../../contract/index.ts';
import type { SiteFile } from '../../config/schema.ts';
import type { AgentSeen } from '../observations.ts';
import type { DeviceState } from '../state/device-state.ts';
import type { SiteState } from '../state/site-state.ts';
import type { RuleId } from './ids.ts';
import { RULE_KINDS } from './kinds.ts';
import { MissingThresholdError, type RuleSettings } from './settings.ts';

export interface Fact {
  label: string;
  value: string;
}

export interface DeviceView {
  device: Device;
  state: DeviceState;
  /** The newest sample of each series of this measurement that is still fresh. */
  fresh(measurement: string): Sample[];
  /** Every series of this measurement the collector remembers, fresh or not (what was, beside what is). */
  remembered?(measurement: string): Sample[];
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
  /** A trap newer than the last poll decided it: the rule's `trapFor` is its pending time, not `for`. */
  fromTrap?: boolean;
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

/**
 * What a sample says for a rule: a number (threshold rules) or a state (condition rules); `unknown` when
 * the device's own data contradicts the value (a placeholder such as runtime 0 at 100 % charge on mains),
 * with the reason; undefined when this sample cannot say (the field absent).
 */
export type Unknown = { unknown: string };
export const unknown = (reason: string): Unknown => ({ unknown: reason });
const isUnknown = (v: unknown): v is Unknown => typeof v === 'object' && v !== null && 'unknown' in v;

type Subject = { interface?: string; instance?: string };

interface RuleSpecBase {
  id: RuleId;
  measurement: string;
  /** Tells series of one device apart; undefined: this series is not this rule's business. */
  subject(sample: Sample, view: DeviceView, ctx: RuleContext): Subject | undefined;
}

export interface ThresholdRuleSpec extends RuleSpecBase {
  /** The value compared with the threshold. */
  value(sample: Sample): number | Unknown | undefined;
  /** "office-printer: black toner at 4 %" (the site's name is put in front). */
  describe(subject: Subject, device: string, value: number, threshold: number, active: boolean): string;
}

export interface ConditionRuleSpec extends RuleSpecBase {
  /** true: the condition holds; false: it does not. */
  holds(sample: Sample): boolean | Unknown | undefined;
  describe(subject: Subject, device: string, active: boolean, sample: Sample): string;
}

const deviceFact = (view: DeviceView): Fact => ({ label: 'Device', value: `${view.device.name} (${view.device.address})` });

/**
 * One fresh sample per series judged by `judge`. Devices not answering are the device-down rule's
 * business, so they give no findings here; a reading the device's own data contradicts gives "hold":
 * a pending alert is dropped, a firing one stays, and the reason is in its facts.
 */
function perSeries(spec: RuleSpecBase, judge: (sample: Sample, view: DeviceView, ctx: RuleContext, subject: Subject) => Finding | undefined): Rule {
  return {
    id: spec.id,
    evaluate(ctx) {
      const findings: Finding[] = [];
      for (const view of ctx.devices) {
        if (view.state !== 'up' && view.state !== 'degraded') continue;
        if (!ctx.settings(spec.id, view.device).enabled) continue;
        for (const sample of view.fresh(spec.measurement)) {
          const subject = spec.subject(sample, view, ctx);
          if (subject === undefined) continue;
          const finding = judge(sample, view, ctx, subject);
          // A trap newer than the poll decided it (collector/traps/overlay.ts marks such samples).
          if (finding !== undefined) findings.push(sample.fields.from_trap === 1 ? fromTrap(finding, sample, ctx.now, ctx.settings(spec.id, view.device).trapForMs) : finding);
        }
      }
      return findings;
    },
  };
}

/**
 * How long after the agent received a trap it still counts as news. A trap older than the rule's `trapFor`
 * and this when it is judged came late, replayed from the agent's spool after a broken link, and the polls
 * the agent made after it are on their way behind it: it is judged like a poll, with the rule's own `for`,
 * so a poll that already saw the fault end drops the alert before anyone is paged.
 */
export const TRAP_FRESH_MS = 15_000;

const clock = (t: number) => new Date(t).toISOString().slice(11, 19);

function fromTrap(finding: Finding, sample: Sample, now: number, trapForMs: number): Finding {
  if (now - sample.time <= trapForMs + TRAP_FRESH_MS) return { ...finding, fromTrap: true, ...(finding.status === 'active' ? { since: sample.time } : {}) };
  return { ...finding, facts: [...finding.facts, { label: 'Trap', value: `received by the agent at ${clock(sample.time)} UTC, delivered late (a broken link)` }] };
}

const held = (ctx: RuleContext, view: DeviceView, subject: Subject, reason: string): Finding => ({
  device: view.device.name,
  ...subject,
  status: 'hold',
  title: `${ctx.site.name}: ${[view.device.name, subject.interface ?? subject.instance].filter(Boolean).join(' ')}: ${reason}`,
  facts: [deviceFact(view), { label: 'Not judged', value: reason }],
});

/** The common shape: one number per series compared with the rule's threshold (kinds.ts gives unit and direction). */
export function thresholdRule(spec: ThresholdRuleSpec): Rule {
  const kind = RULE_KINDS[spec.id];
  if (kind.kind !== 'threshold') throw new Error(`rule ${spec.id} is a condition rule in kinds.ts`);
  return perSeries(spec, (sample, view, ctx, subject) => {
    const value = spec.value(sample);
    if (value === undefined) return undefined;
    if (isUnknown(value)) return held(ctx, view, subject, value.unknown);
    const threshold = ctx.settings(spec.id, view.device).threshold;
    if (threshold === undefined) throw new MissingThresholdError(`rule ${spec.id}: no threshold for ${view.device.name}`);
    const active = kind.direction === 'above' ? value >= threshold : value <= threshold;
    return {
      device: view.device.name,
      ...subject,
      status: active ? 'active' : 'clear',
      title: `${ctx.site.name}: ${spec.describe(subject, view.device.name, value, threshold, active)}`,
      facts: [deviceFact(view), { label: 'Value', value: `${round(value)} ${kind.unit}` }, { label: 'Threshold', value: `${threshold} ${kind.unit}` }],
    };
  });
}

/** A state the device reports (on battery, link down), judged as such: no threshold, no number. */
export function conditionRule(spec: ConditionRuleSpec): Rule {
  if (RULE_KINDS[spec.id].kind !== 'condition') throw new Error(`rule ${spec.id} is a threshold rule in kinds.ts`);
  return perSeries(spec, (sample, view, ctx, subject) => {
    const holds = spec.holds(sample);
    if (holds === undefined) return undefined;
    if (isUnknown(holds)) return held(ctx, view, subject, holds.unknown);
    return {
      device: view.device.name,
      ...subject,
      status: holds ? 'active' : 'clear',
      title: `${ctx.site.name}: ${spec.describe(subject, view.device.name, holds, sample)}`,
      facts: [deviceFact(view)],
    };
  });
}
