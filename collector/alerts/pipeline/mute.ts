import { isInService, maintenanceAt } from '../../calendar/index.ts';
import type { SiteFile } from '../../config/schema.ts';
import type { DeviceState } from '../state/device-state.ts';
import type { SiteState } from '../state/site-state.ts';
import type { Alert, MuteReason } from './alert.ts';
import { isFlapping, type FlapHistory, type FlapSettings } from './flap.ts';

/** A silence made with `alerts silence`: every alert matching all the given fields, for a while. */
export interface Silence {
  id: number;
  site?: string;
  device?: string;
  rule?: string;
  startsAt: number;
  endsAt: number;
  by: string;
  comment?: string;
}

export interface SiteSnapshot {
  file: SiteFile;
  state: SiteState;
  devices: ReadonlyMap<string, DeviceState>;
}

export interface MuteContext {
  now: number;
  sites: ReadonlyMap<string, SiteSnapshot>;
  /** Keys of the site-offline alerts open (pending or firing) right now, by site. */
  siteOffline: ReadonlySet<string>;
  silences: readonly Silence[];
  flap: { history: FlapHistory; settings: FlapSettings };
}

/** Alertmanager's Muter: one small question every inhibitor and silencer answers. */
export interface Muter {
  reason: MuteReason;
  /** What mutes the alert (a name for the record), or undefined. */
  mutes(alert: Alert, ctx: MuteContext): string | undefined;
}

/** Site offline inhibits everything else at the site; a device not answering inhibits all it reaches. */
export const inhibitor: Muter = {
  reason: 'inhibited',
  mutes(alert, ctx) {
    if (alert.rule === 'site-offline') return undefined;
    const site = ctx.sites.get(alert.site);
    if (ctx.siteOffline.has(alert.site) || site?.state === 'offline') return 'site offline';
    if (alert.device === undefined || site === undefined) return undefined;
    const byName = new Map(site.file.devices.map((d) => [d.name, d]));
    for (let p = byName.get(alert.device)?.parent; p !== undefined; p = byName.get(p)?.parent) {
      const state = site.devices.get(p);
      if (state === 'down' || state === 'unreachable') return `${p} ${state}`;
    }
    return undefined;
  },
};

export const silencer: Muter = {
  reason: 'silenced',
  mutes(alert, ctx) {
    const s = ctx.silences.find(
      (s) =>
        s.startsAt <= ctx.now &&
        ctx.now < s.endsAt &&
        (s.site === undefined || s.site === alert.site) &&
        (s.device === undefined || s.device === alert.device) &&
        (s.rule === undefined || s.rule === alert.rule),
    );
    return s === undefined ? undefined : `silence ${s.id} by ${s.by}`;
  },
};

/** The site's maintenance windows (one-off and weekly, in its time zone; see collector/calendar/). */
export const maintenance: Muter = {
  reason: 'maintenance',
  mutes(alert, ctx) {
    const site = ctx.sites.get(alert.site)?.file;
    if (site === undefined) return undefined;
    return maintenanceAt(site.maintenance, site.timezone, alert.device, ctx.now)?.name;
  },
};

/** A rule with period school-hours pages only while the school is open. */
export const servicePeriod: Muter = {
  reason: 'out-of-hours',
  mutes(alert, ctx) {
    const site = ctx.sites.get(alert.site)?.file;
    if (site === undefined || alert.period === 'always') return undefined;
    return isInService(alert.period, site.calendar, site.timezone, ctx.now) ? undefined : 'outside school hours';
  },
};

/** A new incident of a flapping alert; one already told about is not muted, so its resolved message goes. */
export const flapDamper: Muter = {
  reason: 'flapping',
  mutes(alert, ctx) {
    if (alert.notified) return undefined;
    return isFlapping(ctx.flap.history, alert.key, ctx.now, ctx.flap.settings) ? 'flapping' : undefined;
  },
};

/** In pipeline order: inhibit, then silences and maintenance windows, then flap damping. */
export const MUTERS: readonly Muter[] = [inhibitor, silencer, maintenance, servicePeriod, flapDamper];

/** Stages 3–5: each alert's first muter, if any. A window it fires in is kept as its `maintenance`. */
export function mute(alerts: readonly Alert[], ctx: MuteContext, muters: readonly Muter[] = MUTERS): Alert[] {
  return alerts.map((alert) => {
    const next: Alert = { ...alert };
    delete next.muted;
    delete next.mutedBy;
    if (alert.state === 'resolved') return next;
    for (const m of muters) {
      const by = m.mutes(alert, ctx);
      if (by === undefined) continue;
      next.muted = m.reason;
      next.mutedBy = by;
      break;
    }
    if (alert.state === 'firing' && next.maintenance === undefined) {
      const window = maintenance.mutes(alert, ctx);
      if (window !== undefined) next.maintenance = window;
    }
    return next;
  });
}
