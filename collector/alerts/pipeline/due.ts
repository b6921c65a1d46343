import type { Device } from '../../../contract/index.ts';
import type { SiteFile } from '../../config/schema.ts';
import { ingestHealth } from '../../ingest/health.ts';
import type { Observations } from '../observations.ts';
import type { RuleId, RuleSettings } from '../rules/index.ts';

const HOUR = 3_600_000;

export interface DueInput {
  site: SiteFile;
  obs: Observations;
  now: number;
  startedAt: number;
  heartbeatTimeoutMs: number;
  staleAfterIntervals: number;
  settings(rule: RuleId, device?: Device): RuleSettings;
}

/**
 * The next instant at which one site's view can change with nothing new heard: a fresh sample or an agent's
 * event going stale (state/device-state.ts: fresh while `now − time ≤ maxAge`), an agent's heartbeat running
 * out and the start-up grace ending (state/site-state.ts), and the "within the last N hours" windows of the
 * spool-drop and refused-data rules. Until then, and until something new arrives, its findings stand.
 * Infinity when nothing is pending. The engine also sweeps every site now and then, for rules that judge
 * time in ways not listed here.
 */
export function siteDueAt(o: DueInput): number {
  let due = Infinity;
  const at = (t: number) => {
    if (t > o.now && t < due) due = t;
  };
  const maxAge = (device: Device, check: 'ping' | 'snmp') => (device.checks[check]?.intervalSeconds ?? 60) * 1000 * o.staleAfterIntervals;
  for (const device of o.site.devices) {
    const ping = maxAge(device, 'ping');
    const snmp = maxAge(device, 'snmp');
    o.obs.eachTime(o.site.id, device.name, (measurement, time) => at(time + (measurement === 'ping' ? ping : snmp) + 1));
    for (const check of ['ping', 'snmp'] as const) {
      const e = o.obs.event(o.site.id, device.name, check);
      if (e !== undefined) at(e.at + (check === 'ping' ? ping : snmp) + 1);
    }
  }
  at(o.startedAt + o.heartbeatTimeoutMs);
  const drops = windowHours(o, 'agent-spool-drops');
  for (const a of o.obs.agentsOf(o.site.id)) {
    if (a.state === 'online') at(a.heardAt + o.heartbeatTimeoutMs + 1);
    if (a.droppedGrewAt !== undefined && drops !== undefined) at(a.droppedGrewAt + drops + 1);
  }
  const health = ingestHealth.of(o.site.id);
  if (health !== undefined) {
    const refused = windowHours(o, 'agent-data-refused');
    // The rule judges from the last time an agent crossed the misbehaving line, not its last refusal: a
    // lone refusal afterwards moves lastAt on but leaves the alert's window where it was.
    if (refused !== undefined) for (const a of health.agents.values()) if (a.misbehavedAt !== undefined) at(a.misbehavedAt + refused + 1);
    const budget = windowHours(o, 'site-series-budget');
    if (budget !== undefined && health.budget !== undefined) at(health.budget.lastAt + budget + 1);
  }
  return due;
}

const windowHours = (o: DueInput, rule: RuleId): number | undefined => {
  const s = o.settings(rule);
  return s.enabled && s.threshold !== undefined ? s.threshold * HOUR : undefined;
};

/**
 * What the ingest path has refused for a site so far, as a string that changes whenever a refusal is
 * counted: the refused-data rules judge from it, and it arrives without a sample for the site.
 */
export function ingestPrint(site: string): string {
  const h = ingestHealth.of(site);
  if (h === undefined) return '';
  let n = 0;
  let last = 0;
  for (const a of h.agents.values()) {
    n += a.batches + a.samples;
    last = Math.max(last, a.lastAt);
  }
  return `${h.agents.size}:${n}:${last}:${h.budget?.refused ?? ''}:${h.budget?.lastAt ?? ''}`;
}
