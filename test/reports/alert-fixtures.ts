import { DateTime } from 'luxon';
import type { Alert } from '../../collector/alerts/pipeline/alert.ts';
import { AlertStore } from '../../collector/alerts/store.ts';

export interface StoredAlert {
  alert: Alert;
  ackAt: number | undefined;
}

/** A device-down alert as the engine stores it; only the times and `notified` matter to the report. */
export function outageAlert(
  zone: string,
  site: string,
  device: string,
  since: string,
  o: { firing: string; ack?: string; resolved: string; notified?: boolean; muted?: Alert['muted'] },
): StoredAlert {
  const local = (text: string) => DateTime.fromISO(text, { zone }).toMillis();
  const t = local(since);
  const a: Alert = {
    id: `${site}-${device}-${t}`.slice(-24),
    key: `${site}|device-down|${device}||`,
    rule: 'device-down',
    site,
    device,
    severity: 'critical',
    period: 'always',
    title: `${device} down`,
    facts: [],
    state: 'resolved',
    since: t,
    firingAt: local(o.firing),
    resolvedAt: local(o.resolved),
    notified: o.notified ?? true,
    ...(o.muted !== undefined ? { muted: o.muted } : {}),
    level: 0,
    sent: 1,
    resolvedSent: false,
    recipients: [],
  };
  return { alert: a, ackAt: o.ack === undefined ? undefined : local(o.ack) };
}

/** Writes the alerts into an alert store (`alerts.db`) as the engine would: firing, acknowledged, resolved. */
export function writeAlertStore(file: string, alerts: readonly StoredAlert[]): void {
  const store = new AlertStore(file);
  try {
    for (const { alert: a, ackAt } of alerts) {
      const { resolvedAt: _r, ...firing } = a;
      store.record({ alerts: [{ ...firing, state: 'firing' }], dropped: [], decisions: [], open: () => true, now: a.firingAt! });
      if (ackAt !== undefined && store.acknowledge(a.id, 'on-call@provider.example', ackAt, 'cli') !== 'acknowledged') throw new Error(`alert ${a.id} not acknowledged`);
      store.record({ alerts: [a], dropped: [], decisions: [], open: () => false, now: a.resolvedAt! });
    }
  } finally {
    store.close();
  }
}
