import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, WIRE_VERSION, type AgentStatus, type Sample } from '../../contract/index.ts';
import { siteFileSchema, type SiteFile } from '../config/schema.ts';
import type { Delivery, Dispatcher } from '../notify/dispatch.ts';
import { alertsConfigSchema, type AlertsConfig } from './config.ts';
import { createAlertEngine, type AlertEngine } from './engine.ts';
import { AlertStore } from './store.ts';

/**
 * Fixtures for the alert engine's unit tests: a school, samples, statuses, a manual clock and an in-memory
 * dispatcher (the real one, with its channels, is tested under collector/notify/ and test/alerts/).
 */

export const T0 = Date.UTC(2026, 10, 24, 9, 0, 0); // Tue 24 Nov 2026 09:00 London: term time, school hours

const ping = { intervalSeconds: 10, probes: 3 };

export function testSite(extra: Record<string, unknown> = {}): SiteFile {
  return siteFileSchema.parse({
    id: 'north-primary',
    name: 'North Primary',
    timezone: 'Europe/London',
    contacts: [],
    devices: [
      { name: 'router', address: '192.0.2.1', role: 'internet', checks: { ping } },
      { name: 'core-switch', address: '192.0.2.2', role: 'core-switch', parent: 'router', checks: { ping, snmp: { intervalSeconds: 10 } } },
      { name: 'hall-ap', address: '192.0.2.3', role: 'access-point', parent: 'core-switch', checks: { ping } },
      { name: 'library-ap', address: '192.0.2.4', role: 'access-point', parent: 'core-switch', checks: { ping } },
      { name: 'office-printer', address: '192.0.2.5', role: 'printer', parent: 'core-switch', checks: { ping, snmp: { intervalSeconds: 10 } } },
    ],
    calendar: { terms: [{ start: '2026-09-03', end: '2026-12-18' }] },
    ...extra,
  });
}

export function testConfig(extra: Record<string, unknown> = {}): AlertsConfig {
  return alertsConfigSchema.parse({
    evaluateEvery: '1s',
    contacts: [
      { name: 'Alice', email: 'alice@provider.example' },
      { name: 'Bob', email: 'bob@provider.example' },
    ],
    rota: [{ from: 'mon 08:00', order: ['Alice', 'Bob'] }],
    rules: { 'device-down': { for: '30s' }, 'site-offline': { for: '1m' } },
    roles: { 'access-point': { 'device-down': { for: '30s' } } },
    ...extra,
  });
}

export function pingSample(device: string, up: boolean, time: number, extra: Record<string, number> = {}): Sample {
  return {
    measurement: 'ping',
    tags: { device, role: 'x' },
    fields: { up: up ? 1 : 0, loss_pct: up ? 0 : 100, ...(up ? { rtt_avg_ms: 1.2 } : {}), ...extra },
    time,
  };
}

export function snmpSample(device: string, up: boolean, time: number): Sample {
  return { measurement: 'snmp', tags: { device, role: 'x' }, fields: up ? { up: 1 } : { up: 0, error: 'timeout' }, time };
}

export function agentStatus(state: 'online' | 'offline', at: number, dropped = 0): AgentStatus {
  return {
    v: WIRE_VERSION,
    agent: 'north-primary-1',
    site: 'north-primary',
    state,
    version: 'test',
    startedAt: T0 - 60_000,
    at,
    uptimeSeconds: 60,
    ...(state === 'online' ? { spool: { batches: 0, samples: 0, bytes: 0, droppedBatches: dropped > 0 ? 1 : 0, droppedSamples: dropped } } : {}),
  };
}

/** Records deliveries; dedups by notification id + channel + recipient, as the real dispatcher promises. */
export class MemoryDispatcher implements Dispatcher {
  readonly deliveries: Delivery[] = [];
  private readonly seen = new Set<string>();
  enqueue(deliveries: readonly Delivery[]): void {
    for (const d of deliveries) {
      const key = `${d.notification.id}|${d.channel}|${d.to.name}|${d.to.email ?? ''}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.deliveries.push(d);
    }
  }
  kinds(): string[] {
    return this.deliveries.map((d) => `${d.notification.kind}:${d.notification.device ?? d.notification.site.id}:${d.to.name}`);
  }
}

/** An engine on a manual clock with a temporary store; `restart()` opens a new engine on the same file. */
export function engineRig(o: { site?: SiteFile; config?: AlertsConfig; start?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'hm-alerts-'));
  const file = join(dir, 'alerts.db');
  const clock = { t: o.start ?? T0 };
  const dispatcher = new MemoryDispatcher();
  const points: string[] = [];
  let site = o.site ?? testSite();
  let config = o.config ?? testConfig();
  let store = new AlertStore(file);
  const make = () =>
    createAlertEngine({
      config,
      sites: [site],
      store,
      dispatcher,
      channels: ['email'],
      points: { write: (c) => points.push(c.text) },
      log: createLogger('alerts-test', 'silent'),
      now: () => clock.t,
    });
  const rig = {
    clock,
    dispatcher,
    points,
    get site() {
      return site;
    },
    engine: make() as AlertEngine,
    get store() {
      return store;
    },
    /** Samples for every device at the current time: `down` devices fail ping (and SNMP). */
    poll(down: readonly string[] = []) {
      const samples = site.devices.flatMap((d) => [
        pingSample(d.name, !down.includes(d.name), clock.t),
        ...(d.checks.snmp ? [snmpSample(d.name, !down.includes(d.name), clock.t)] : []),
      ]);
      rig.engine.samples(site.id, 'north-primary-1', samples);
    },
    /** Advance the clock by `ms` in steps of `every`, polling (with `down`) and ticking at each. */
    run(ms: number, down: readonly string[] = [], every = 10_000) {
      for (let t = 0; t < ms; t += every) {
        clock.t += every;
        rig.engine.status(agentStatus('online', clock.t));
        rig.poll(down);
        rig.engine.tick();
      }
    },
    /** A new engine on the same file, as after a collector restart (optionally with a changed config). */
    restart(changed: { site?: SiteFile; config?: AlertsConfig } = {}) {
      site = changed.site ?? site;
      config = changed.config ?? config;
      rig.engine.stop();
      store.close();
      store = new AlertStore(file);
      rig.engine = make();
    },
    close() {
      rig.engine.stop();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return rig;
}
