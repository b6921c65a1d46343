import { deviceEventSchema, decodeMessage, type AgentStatus, type Logger, type Sample } from '../../contract/index.ts';
import type { SiteFile } from '../config/schema.ts';
import type { LineSink } from '../ingest/index.ts';
import type { Delivery, Dispatcher } from '../notify/dispatch.ts';
import { toLine } from '../storage/line.ts';
import { durationMs, type AlertsConfig } from './config.ts';
import { Observations } from './observations.ts';
import { subjectOf, type Alert } from './pipeline/alert.ts';
import { ingestPrint, siteDueAt } from './pipeline/due.ts';
import { evaluate, type Evaluated } from './pipeline/evaluate.ts';
import type { FlapHistory } from './pipeline/flap.ts';
import type { SiteSnapshot } from './pipeline/mute.ts';
import { isClosed, step, type AlertEvent } from './pipeline/pipeline.ts';
import type { Decision } from './pipeline/plan.ts';
import { escalationOrder } from './pipeline/rota.ts';
import { cachedSettings } from './pipeline/settings-cache.ts';
import { limitOf, RULES, ruleSettings } from './rules/index.ts';
import { siteView } from './site-view.ts';
import { sameSummary, summariseBySite, type SiteAlertSummary } from './summary.ts';
import type { DeviceState } from './state/device-state.ts';
import { StateTimeline, type StatePoint } from './state/timeline.ts';
import type { SiteState } from './state/site-state.ts';
import type { AcknowledgeResult, AlertStore } from './store.ts';

const SUMMARY_EVERY_MS = 60_000;
/** Every site is evaluated again at least this often, whatever changed: a guard for rules that judge time in ways pipeline/due.ts does not list. */
const SWEEP_MS = 60_000;

/** One site's last evaluation. */
interface SiteJudgement {
  /**
   * The findings that can move an alert while the site is not evaluated again: active ones, and those of
   * subjects with an alert open when it was (an alert opens only on an active finding, so no other can
   * become one's). Clear findings of quiet subjects, nearly all of them, are not kept.
   */
  findings: Evaluated[];
  /** Keys with an active finding: all of a key's findings go on together (advance takes the first of a key). */
  activeKeys: Set<string>;
  snapshot: SiteSnapshot;
  /** When its view can next change by time alone (pipeline/due.ts). */
  dueAt: number;
  sweepAt: number;
  /** What ingest had refused for it then (pipeline/due.ts). */
  ingest: string;
  /** Its devices in state unknown. */
  unknown: string[];
}

export interface AlertEngineOptions {
  config: AlertsConfig;
  sites: readonly SiteFile[];
  store: AlertStore;
  /** Where messages go; without one they are decided and recorded only. */
  dispatcher?: Dispatcher;
  /** `alert_event` and `device_state` points for dashboards (the collector's InfluxDB writer). */
  points?: LineSink;
  log: Logger;
  now: () => number;
  /** Channel ids the alerts go out on. */
  channels: readonly string[];
  /**
   * 'changed' (the default): each turn evaluates only the sites heard from since, or whose view can change
   * by time (pipeline/due.ts). 'every-site': every site every turn, the reference the tests compare with.
   */
  scan?: 'changed' | 'every-site';
}

export interface AlertEngine {
  /** Samples of a batch the write-ahead log has accepted. */
  samples(site: string, agent: string, samples: readonly Sample[]): void;
  status(status: AgentStatus): void;
  /** A raw message from `.../events`, validated here; false if it was refused. */
  event(payload: Buffer, from: { agent: string; site: string }): boolean;
  /** One turn of the pipeline now (the timer calls it; tests may too). */
  tick(): void;
  acknowledge(alertId: string, by: string, at: number, via?: string): Promise<AcknowledgeResult>;
  alerts(): readonly Alert[];
  deviceStates(site: string): ReadonlyMap<string, DeviceState>;
  /** What it has observed (newest sample per series, agents), to read: the status pages share it rather than keep a copy. */
  observations(): Observations;
  siteState(site: string): SiteState;
  start(): void;
  stop(): void;
  stats(): { ticks: number; eventsAccepted: number; eventsRejected: number; decisions: number; evaluations: number };
}

/** How far back decisions are handed to the dispatcher again after a restart (it drops those it has). */
const REPLAY_MS = 24 * 3_600_000;

/**
 * The alert engine: holds what was observed, runs the pure pipeline every `evaluateEvery` (and at once
 * after a state-change event or an agent going offline), records each step in SQLite before the
 * dispatcher gets its deliveries, and writes alert events to InfluxDB.
 */
export function createAlertEngine(o: AlertEngineOptions): AlertEngine {
  const { config, store, log } = o;
  const sites = new Map(o.sites.map((s) => [s.id, s]));
  const startedAt = o.now();
  const obs = new Observations();
  const flap: FlapHistory = store.flapHistory();
  const flapSettings = { windowMs: durationMs(config.flap.window), changes: config.flap.changes, quietMs: durationMs(config.flap.quiet) };
  const heartbeatTimeoutMs = durationMs(config.heartbeatTimeout);
  const stats = { ticks: 0, eventsAccepted: 0, eventsRejected: 0, decisions: 0, evaluations: 0 };
  let working: Alert[] = store.working();
  let snapshots = new Map<string, SiteSnapshot>();
  let timer: NodeJS.Timeout | undefined;
  // Per site: its findings and snapshot from its last evaluation, and when they can next change by time
  // alone. A site is evaluated again when something of it was heard (samples, status, event, a refusal),
  // when that time comes, and at least every SWEEP_MS; otherwise its findings stand as they were.
  const settingsOf = new Map(o.sites.map((s) => [s.id, cachedSettings(config, s)]));
  const judged = new Map<string, SiteJudgement>();
  const dirty = new Set<string>();
  let sweepOffset = 0;

  // device_state history per site, from measurements in measured order (state/timeline.ts).
  const timelines = new Map(
    o.sites.map((site) => {
      const settings = (rule: 'high-loss' | 'high-latency', d: Parameters<typeof ruleSettings>[3]) => limitOf(rule, settingsOf.get(site.id)!(rule, d));
      return [site.id, new StateTimeline({ devices: site.devices, staleAfterIntervals: config.staleAfterIntervals, limits: (d) => ({ lossPct: settings('high-loss', d), rttMs: settings('high-latency', d) }) })];
    }),
  );
  let soon: NodeJS.Immediate | undefined;

  const deliveries = (decisions: readonly Decision[]): Delivery[] =>
    decisions.flatMap((d) => o.channels.flatMap((channel) => d.to.map((to) => ({ notification: d.notification, channel, to }))));

  const enqueue = (decisions: readonly Decision[]) => {
    if (o.dispatcher === undefined || decisions.length === 0) return;
    try {
      o.dispatcher.enqueue(deliveries(decisions));
    } catch (err) {
      // Recorded already: handed over again on the next start.
      log.error({ err: (err as Error).message, notifications: decisions.length }, 'dispatcher refused deliveries');
    }
  };
  // After a restart: whatever was decided but perhaps not handed over. The dispatcher dedups.
  enqueue(store.decisionsSince(startedAt - REPLAY_MS));

  const writeEvents = (events: readonly AlertEvent[]) => {
    for (const e of events) {
      const a = e.alert;
      o.points?.write({
        text: toLine(
          {
            measurement: 'alert_event',
            tags: { rule: a.rule, severity: a.severity, event: e.kind, ...(a.device !== undefined ? { device: a.device } : {}) },
            fields: {
              alert_id: a.id,
              title: a.title,
              ...(a.muted !== undefined ? { muted: a.muted } : {}),
              ...(a.maintenance !== undefined ? { maintenance: a.maintenance } : {}),
              ...(a.ackedBy !== undefined && e.kind === 'acknowledged' ? { by: a.ackedBy } : {}),
            },
            time: e.at,
          },
          a.site,
        ),
        points: 1,
      });
    }
  };

  const judge = (site: SiteFile, now: number, open: ReadonlySet<string>): SiteJudgement & { all: Evaluated[] } => {
    const settings = settingsOf.get(site.id)!;
    const view = siteView(site, obs, { config, heartbeatTimeoutMs, startedAt, now, settings });
    const findings = evaluate(view, RULES);
    const devices = new Map(view.devices.map((d) => [d.device.name, d.state]));
    const dueAt = siteDueAt({ site, obs, now, startedAt, heartbeatTimeoutMs, staleAfterIntervals: config.staleAfterIntervals, settings });
    const activeKeys = new Set(findings.filter((f) => f.status === 'active').map((f) => f.key));
    return { all: findings, activeKeys, findings: findings.filter((f) => activeKeys.has(f.key) || open.has(f.key)), snapshot: { file: { ...site, devices: view.devices.map((d) => d.device) }, state: view.siteState.state, devices }, dueAt, sweepAt: now + SWEEP_MS, ingest: ingestPrint(site.id), unknown: [...devices].filter(([, st]) => st === 'unknown').map(([d]) => d) };
  };

  const tick = () => {
    const now = o.now();
    stats.ticks++;
    const evaluated: Evaluated[] = [];
    const open = new Set(working.map((a) => a.key));
    const next = new Map<string, SiteSnapshot>();
    // The sweep is spread over the ticks (a slice of sites each), so it adds no burst.
    const slices = Math.max(1, Math.round(SWEEP_MS / durationMs(config.evaluateEvery)));
    const slice = sweepOffset++ % slices;
    let i = 0;
    for (const site of sites.values()) {
      const last = judged.get(site.id);
      const stale = o.scan === 'every-site' || last === undefined || dirty.has(site.id) || now >= last.dueAt || (i % slices === slice && now >= last.sweepAt) || last.ingest !== ingestPrint(site.id);
      i++;
      if (stale) {
        const { all, ...j } = judge(site, now, open);
        judged.set(site.id, j);
        // Only findings the step can act on go on: a clear or held finding of a subject with no alert and no
        // flap history changes nothing there (lifecycle.ts, flap.ts). The rest die with this site's view, not
        // at the end of a turn that may judge every site of the fleet at once (a collector start).
        for (const f of all) if (j.activeKeys.has(f.key) || open.has(f.key) || flap.has(f.key)) evaluated.push(f);
        next.set(site.id, j.snapshot);
        recordUnknown(site.id, j.unknown, now);
        stats.evaluations++;
      } else {
        // Unchanged findings: only what can move an alert (active, or the subject of one open) goes on.
        for (const f of last.findings) if (last.activeKeys.has(f.key) || open.has(f.key)) evaluated.push(f);
        next.set(site.id, last.snapshot);
      }
    }
    dirty.clear();
    snapshots = next;
    evaluated.push(...withdrawn(working, evaluated));
    const acked = new Map(store.list().filter((a) => a.ackedAt !== undefined).map((a) => [a.id, a]));
    const current = working.map((a) => {
      const ack = acked.get(a.id);
      return ack ? { ...a, ackedBy: ack.ackedBy!, ackedAt: ack.ackedAt! } : a;
    });
    const out = step({
      now,
      alerts: current,
      evaluated,
      mute: { sites: snapshots, silences: store.silences(now), flap: { history: flap, settings: flapSettings } },
      plan: {
        repeatIntervalMs: durationMs(config.repeatInterval),
        escalateAfterMs: durationMs(config.escalateAfter),
        site: (id) => sites.get(id),
        order: (site) => escalationOrder(site, { timezone: config.timezone, contacts: config.contacts, shifts: config.rota }, now),
      },
    });
    const before = new Map(current.map((a) => [a.id, JSON.stringify(a)]));
    const changed = out.alerts.filter((a) => before.get(a.id) !== JSON.stringify(a));
    store.record({ alerts: changed, dropped: out.dropped, decisions: out.decisions, open: (a) => !isClosed(a), now, flap: { history: flap, changed: out.flapChanged } });
    stats.decisions += out.decisions.length;
    for (const d of out.decisions) log.info({ alert: d.notification.alertId, kind: d.notification.kind, to: d.to.map((r) => r.name), title: d.notification.title }, 'alert notification');
    for (const d of out.decisions) if (d.to.length === 0) log.warn({ alert: d.notification.alertId }, 'no on-call contact to notify: set alerts.contacts (and rota) in collector.yaml');
    enqueue(out.decisions);
    writeEvents(out.events);
    working = out.alerts.filter((a) => !isClosed(a));
    writeSummaries(now);
  };

  // Per site, the alerts in force: written when they change and at least once a minute, so a Grafana
  // panel's last() over a few minutes always has a row, also for a site with none.
  let summaries = new Map<string, SiteAlertSummary>();
  let summariesAt = -Infinity;
  const writeSummaries = (now: number) => {
    const next = summariseBySite(working, sites.keys());
    const due = now - summariesAt >= SUMMARY_EVERY_MS;
    for (const [site, row] of next) {
      if (!due && sameSummary(summaries.get(site), row)) continue;
      o.points?.write({ text: toLine({ measurement: 'alerts_open', tags: {}, fields: { ...row }, time: now }, site), points: 1 });
    }
    if (due) summariesAt = now;
    summaries = next;
  };

  const writeStates = (site: string, points: readonly StatePoint[]) => {
    for (const p of points) o.points?.write({ text: toLine({ measurement: 'device_state', tags: { device: p.device }, fields: { state: p.state }, time: p.at }, site), points: 1 });
  };
  // What is measured is written as measured (samples()); what the live view cannot know is written here, at
  // the collector's time, and overwritten if a replay later shows it was measured after all.
  const recordUnknown = (site: string, unknown: readonly string[], now: number) => {
    const timeline = timelines.get(site);
    if (timeline === undefined) return;
    for (const device of unknown) writeStates(site, timeline.unknown(device, now));
  };

  /**
   * Open alerts whose subject left the config (a device removed) or whose rule was switched off for it:
   * they resolve, so no alert stays open for ever on something nobody watches any more.
   */
  const withdrawn = (open: readonly Alert[], evaluated: readonly Evaluated[]): Evaluated[] => {
    const judged = new Set(evaluated.map((e) => e.key));
    return open.flatMap((a): Evaluated[] => {
      const site = sites.get(a.site);
      if (site === undefined || judged.has(a.key)) return [];
      const device = a.device === undefined ? undefined : site.devices.find((d) => d.name === a.device);
      const gone = a.device !== undefined && device === undefined;
      if (!gone && ruleSettings(a.rule, config, site.alerts, device).enabled) return [];
      return [{ ...subjectOf(a.rule, a.site, a), key: a.key, status: 'clear', title: a.title, facts: a.facts, forMs: 0, severity: a.severity, period: a.period }];
    });
  };

  const tickSoon = () => {
    soon ??= setImmediate(() => {
      soon = undefined;
      safeTick();
    });
  };
  const safeTick = () => {
    try {
      tick();
    } catch (err) {
      log.error({ err: (err as Error).message }, 'alert evaluation failed; next turn tries again');
    }
  };

  return {
    samples(site, agent, samples) {
      dirty.add(site);
      obs.addSamples(site, agent, samples, o.now());
      const timeline = timelines.get(site);
      if (timeline !== undefined) writeStates(site, timeline.samples(samples));
    },
    status(status) {
      dirty.add(status.site);
      obs.addStatus(status, o.now());
      if (status.state === 'offline') tickSoon();
    },
    event(payload, from) {
      const decoded = decodeMessage(deviceEventSchema, payload);
      const reason = !decoded.ok
        ? decoded.reason
        : decoded.value.agent !== from.agent || decoded.value.site !== from.site
          ? `event names agent "${decoded.value.agent}" of site "${decoded.value.site}"`
          : !sites.get(from.site)?.devices.some((d) => d.name === decoded.value.device)
            ? `no device "${decoded.value.device}" in site "${from.site}"`
            : undefined;
      if (!decoded.ok || reason !== undefined) {
        stats.eventsRejected++;
        log.warn({ ...from, reason }, 'device event rejected');
        return false;
      }
      stats.eventsAccepted++;
      dirty.add(from.site);
      obs.addEvent(decoded.value);
      tickSoon();
      return true;
    },
    tick,
    async acknowledge(alertId, by, at, via = 'link') {
      const result = store.acknowledge(alertId, by, at, via);
      if (result === 'acknowledged') {
        const alert = store.get(alertId)!;
        working = working.map((a) => (a.id === alertId ? alert : a));
        writeEvents([{ kind: 'acknowledged', alert, at }]);
        log.info({ alert: alertId, by, via }, 'alert acknowledged');
      }
      return result;
    },
    alerts: () => working,
    deviceStates: (site) => snapshots.get(site)?.devices ?? new Map(),
    observations: () => obs,
    siteState: (site) => snapshots.get(site)?.state ?? 'unknown',
    start() {
      timer ??= setInterval(safeTick, durationMs(config.evaluateEvery));
      timer.unref?.();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (soon) clearImmediate(soon);
      soon = undefined;
    },
    stats: () => stats,
  };
}
