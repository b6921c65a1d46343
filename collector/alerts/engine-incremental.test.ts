import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, type AgentStatus } from '../../contract/index.ts';
import { ingestHealth, MISBEHAVING } from '../ingest/health.ts';
import { createAlertEngine, type AlertEngine } from './engine.ts';
import { AlertStore } from './store.ts';
import { agentStatus, MemoryDispatcher, pingSample, snmpSample, T0, testConfig, testSite } from './testing.ts';

/**
 * The engine evaluates only the sites it heard from, or whose view can change by time alone
 * (pipeline/due.ts). Judged against the reference that evaluates every site on every turn: for any
 * sequence of polls, silences in data, agents going and coming, refusals and clock jumps, both must decide
 * the same alerts, states, messages and points, turn by turn.
 */

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// Two ports of the core switch share the uplink's name (as redacted or duplicated ifNames do): one subject, two findings.
const SITES = ['north-primary', 'south-primary', 'east-high'].map((id) => testSite({ id, name: id, alerts: { uplinks: { 'core-switch': ['uplink'] } } }));
const DEVICES = SITES[0]!.devices.map((d) => d.name);
const agentOf = (site: string) => `${site}-1`;
const statusOf = (site: string, state: 'online' | 'offline', at: number, dropped = 0): AgentStatus => ({ ...agentStatus(state, at, dropped), agent: agentOf(site), site });

function engine(scan: 'changed' | 'every-site', clock: { t: number }) {
  const dir = mkdtempSync(join(tmpdir(), 'hm-incr-'));
  dirs.push(dir);
  const store = new AlertStore(join(dir, 'alerts.db'));
  const dispatcher = new MemoryDispatcher();
  const points: string[] = [];
  const e = createAlertEngine({
    config: testConfig({ rules: { 'device-down': { for: '30s' }, 'site-offline': { for: '1m' }, 'agent-data-refused': { threshold: 1 } } }),
    sites: SITES,
    store,
    dispatcher,
    channels: ['email'],
    points: { write: (c) => points.push(c.text) },
    log: createLogger('alerts-test', 'silent'),
    now: () => clock.t,
    scan,
  });
  return { e, store, dispatcher, points };
}

type Op =
  | { op: 'wait'; ms: number }
  | { op: 'poll'; site: number; down: string[]; only: string[]; late: number; ports: [number, number] }
  | { op: 'status'; site: number; state: 'online' | 'offline'; dropped: number }
  | { op: 'refuse'; site: number; n: number }
  | { op: 'tick' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('wait' as const), ms: fc.oneof(fc.integer({ min: 1, max: 15_000 }), fc.integer({ min: 15_000, max: 400_000 }), fc.integer({ min: 3_000_000, max: 4_000_000 })) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('poll' as const),
      site: fc.integer({ min: 0, max: SITES.length - 1 }),
      down: fc.subarray(DEVICES),
      only: fc.subarray(DEVICES, { minLength: 1 }),
      late: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 200_000 })),
      ports: fc.tuple(fc.constantFrom(1, 2), fc.constantFrom(1, 2)),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('status' as const), site: fc.integer({ min: 0, max: SITES.length - 1 }), state: fc.constantFrom('online' as const, 'offline' as const), dropped: fc.integer({ min: 0, max: 3 }) }) },
  // One refusal (below the misbehaving line) or a burst over it (MISBEHAVING.refusals).
  { weight: 1, arbitrary: fc.record({ op: fc.constant('refuse' as const), site: fc.integer({ min: 0, max: SITES.length - 1 }), n: fc.constantFrom(1, MISBEHAVING.refusals) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('tick' as const) }) },
);

const view = (e: AlertEngine) => ({
  alerts: e.alerts().map((a) => `${a.key} ${a.state} ${a.since} ${a.firingAt ?? ''} ${a.resolvedAt ?? ''} ${a.muted ?? ''} ${a.title}`),
  sites: SITES.map((s) => `${s.id} ${e.siteState(s.id)} ${[...e.deviceStates(s.id)].map(([d, st]) => `${d}=${st}`).join(',')}`),
});

describe('alert engine: evaluating only what changed', () => {
  it('decides exactly what evaluating every site every turn decides', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 5, maxLength: 60 }), (ops) => {
        // Each run starts from a collector that has refused nothing: what an earlier run refused, at times
        // ahead of this run's clock, is no state a collector can be in.
        ingestHealth.clear();
        const clock = { t: T0 };
        const a = engine('changed', clock);
        const b = engine('every-site', clock);
        try {
          for (const op of ops) {
            if (op.op === 'wait') clock.t += op.ms;
            else if (op.op === 'poll') {
              const site = SITES[op.site]!;
              const at = clock.t - op.late;
              const samples = site.devices
                .filter((d) => op.only.includes(d.name))
                .flatMap((d) => [pingSample(d.name, !op.down.includes(d.name), at), ...(d.checks.snmp ? [snmpSample(d.name, !op.down.includes(d.name), at)] : [])]);
              if (op.only.includes('core-switch')) {
                op.ports.forEach((oper, i) => samples.push({ measurement: 'interface', tags: { device: 'core-switch', role: 'x', interface: 'uplink', if_index: String(i + 1) }, fields: { oper_status: oper, admin_status: 1 }, time: at }));
              }
              for (const x of [a, b]) x.e.samples(site.id, agentOf(site.id), samples);
            } else if (op.op === 'status') {
              for (const x of [a, b]) x.e.status(statusOf(SITES[op.site]!.id, op.state, clock.t, op.dropped));
            } else if (op.op === 'refuse') {
              // Shared by both engines, as in the collector (one ingest path).
              ingestHealth.refused(SITES[op.site]!.id, agentOf(SITES[op.site]!.id), 'test', op.n, 1, clock.t);
            } else {
              a.e.tick();
              b.e.tick();
              expect(view(a.e)).toEqual(view(b.e));
              expect(a.dispatcher.kinds()).toEqual(b.dispatcher.kinds());
              expect(a.points).toEqual(b.points);
            }
          }
        } finally {
          for (const x of [a, b]) {
            x.e.stop();
            x.store.close();
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('clears a refused-data alert on the turn its hour ends, though a lone refusal came after the burst', () => {
    // The rule's window runs from the burst that crossed the misbehaving line; a later single refusal moves
    // the agent's last refusal on, not that window. CI's seed 1962855298 found the changed-only engine
    // waiting for the later one (clearing up to a sweep late).
    ingestHealth.clear();
    const clock = { t: T0 };
    const a = engine('changed', clock);
    const b = engine('every-site', clock);
    const site = SITES[0]!.id;
    const turn = () => {
      a.e.tick();
      b.e.tick();
      expect(view(a.e)).toEqual(view(b.e));
    };
    const firing = () => a.e.alerts().filter((x) => x.rule === 'agent-data-refused' && x.state === 'firing').length;
    try {
      for (const x of [a, b]) x.e.status(statusOf(site, 'online', clock.t));
      ingestHealth.refused(site, agentOf(site), 'test', MISBEHAVING.refusals, 1, clock.t);
      turn();
      expect(firing()).toBe(1);
      clock.t += 20 * 60_000;
      ingestHealth.refused(site, agentOf(site), 'test', 1, 1, clock.t);
      turn();
      expect(firing()).toBe(1);
      // Every turn from here to just past the hour, 10 s apart, with nothing of the site heard (its agent
      // silent: a site that polls is judged every turn anyway).
      while (clock.t < T0 + 3_600_000 + 10_000) {
        clock.t += 10_000;
        turn();
      }
      expect(firing()).toBe(0);
    } finally {
      for (const x of [a, b]) {
        x.e.stop();
        x.store.close();
      }
    }
  });

  it('with nothing heard, a turn evaluates no site until one has something due', () => {
    const clock = { t: T0 };
    const a = engine('changed', clock);
    try {
      for (const s of SITES) {
        a.e.status(statusOf(s.id, 'online', clock.t));
        a.e.samples(s.id, agentOf(s.id), s.devices.map((d) => pingSample(d.name, true, clock.t)));
      }
      a.e.tick();
      const after = a.e.stats().evaluations;
      expect(after).toBe(SITES.length);
      clock.t += 1_000;
      a.e.tick();
      clock.t += 1_000;
      a.e.tick();
      expect(a.e.stats().evaluations).toBe(after);
      // One site polled: that site only.
      a.e.samples(SITES[1]!.id, agentOf(SITES[1]!.id), [pingSample('router', true, clock.t)]);
      a.e.tick();
      expect(a.e.stats().evaluations).toBe(after + 1);
      // Data goes stale after 3 ten-second intervals: every site is evaluated again then, and its devices are unknown.
      clock.t = T0 + 31_000;
      a.e.tick();
      expect(a.e.deviceStates(SITES[0]!.id).get('hall-ap')).toBe('unknown');
    } finally {
      a.e.stop();
      a.store.close();
    }
  });
});
