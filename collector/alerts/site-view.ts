import type { Device, Sample } from '../../contract/index.ts';
import type { SiteFile } from '../config/schema.ts';
import type { AlertsConfig } from './config.ts';
import type { Observations } from './observations.ts';
import { limitOf, ruleSettings, type DeviceView, type RuleContext, type RuleId } from './rules/index.ts';
import { deviceStates, freshSample, reachability, type Reachability } from './state/device-state.ts';
import { siteState } from './state/site-state.ts';
import { withLearnedParents } from '../topology/learned.ts';
import { overlayTraps } from '../traps/overlay.ts';

export interface ViewOptions {
  config: AlertsConfig;
  heartbeatTimeoutMs: number;
  startedAt: number;
  now: number;
  /** The site's rule settings, resolved once and kept (pipeline/settings-cache.ts); resolved per call without. */
  settings?: RuleContext['settings'];
}

/** What the rules see of one site now: its state, each device's state and fresh samples, its agents. */
export function siteView(site: SiteFile, obs: Observations, o: ViewOptions): RuleContext {
  const settings = o.settings ?? ((rule: RuleId, device?: Device) => ruleSettings(rule, o.config, site.alerts, device));
  const agents = obs.agentsOf(site.id);
  const state = siteState({ agents, now: o.now, heartbeatTimeoutMs: o.heartbeatTimeoutMs, startedAt: o.startedAt });
  // A device's samples of a measurement are built once per view, when a rule first asks (observations keep
  // them packed, device-series.ts): measurements no rule reads are never built.
  const built = new Map<string, Sample[]>();
  const measured = (name: string, measurement: string): readonly Sample[] => {
    const key = `${name}\u0000${measurement}`;
    let series = built.get(key);
    if (series === undefined) built.set(key, (series = obs.seriesOfMeasurement(site.id, name, measurement)));
    return series;
  };
  const freshOf = (device: Device, measurement: string) => {
    const series = measured(device.name, measurement);
    const newest = freshSample(series, measurement, device, o.now, o.config.staleAfterIntervals);
    // Every series of the measurement as fresh as the newest one (one poll gives them all).
    return newest === undefined ? [] : series.filter((s) => newest.time - s.time <= 1_000);
  };
  // Parents the site file leaves out come from the devices' LLDP/CDP neighbours (collector/topology), as
  // last read: a switch that stops answering keeps the place it had in the tree, which is when it matters.
  let known = identities.get(obs)?.get(site.id);
  if (known === undefined) {
    const bySite = identities.get(obs) ?? new Map();
    identities.set(obs, bySite);
    bySite.set(site.id, (known = new Map()));
  }
  const listed = withLearnedParents(site.devices, (name, measurement) => lastRead(measured(name, measurement), measurement, measurement === 'snmp' ? answered : undefined), known);
  const reach = new Map<string, Reachability>(
    listed.map((d) => [d.name, reachability(d, [...measured(d.name, 'ping'), ...measured(d.name, 'snmp')], (check) => obs.event(site.id, d.name, check), o.now, o.config.staleAfterIntervals)]),
  );
  const states = deviceStates({
    devices: listed,
    reach,
    siteOnline: state.state === 'online',
    limits: (d) => ({ lossPct: limitOf('high-loss', settings('high-loss', d)), rttMs: limitOf('high-latency', settings('high-latency', d)) }),
  });
  const devices: DeviceView[] = listed.map((device) => ({
    device,
    state: states.get(device.name) ?? 'unknown',
    // A trap newer than the poll stands in for it (collector/traps/overlay.ts).
    fresh: (measurement) => overlayTraps(measurement, freshOf(device, measurement), measured(device.name, 'snmp_trap')),
    remembered: (measurement) => [...measured(device.name, measurement)],
  }));
  return { site, now: o.now, siteState: state, devices, agents, settings };
}

/** Each device's last known system name and LLDP chassis id, per site, for as long as its observations live. */
const identities = new WeakMap<Observations, Map<string, Map<string, { sysName?: string | undefined; chassisId?: string | undefined }>>>();

/** The series of a measurement read in the device's newest poll of it, however old that poll is. */
function lastRead(series: readonly Sample[], measurement: string, usable: (s: Sample) => boolean = () => true): Sample[] {
  const of = series.filter((s) => s.measurement === measurement && usable(s));
  if (of.length === 0) return [];
  const newest = Math.max(...of.map((s) => s.time));
  return of.filter((s) => newest - s.time <= 1_000);
}

/** An \`snmp\` sample of a poll that answered (one that timed out names nothing). */
const answered = (s: Sample) => s.fields.up === 1;
