import { afterEach, describe, expect, it } from 'vitest';
import { agentStatus, engineRig, pingSample, testConfig, T0 } from './testing.ts';

/**
 * The engine's timing on a manual clock: flap damping (item 2) and pending time across a gap in data
 * (item 3), as a provider sees them — which messages go out, and when.
 */

let rig: ReturnType<typeof engineRig> | undefined;
afterEach(() => rig?.close());

const MIN = 60_000;

/** Polls every 10 s for `ms` with `down` failing; returns "kind at <seconds since T0>" per message sent. */
function drive(r: ReturnType<typeof engineRig>, log: string[], ms: number, down: string[] = []) {
  for (let t = 0; t < ms; t += 10_000) {
    r.clock.t += 10_000;
    r.engine.status(agentStatus('online', r.clock.t));
    r.poll(down);
    const before = r.dispatcher.deliveries.length;
    r.engine.tick();
    for (const d of r.dispatcher.deliveries.slice(before)) log.push(`${d.notification.kind} at ${(r.clock.t - T0) / 1000}`);
  }
}

describe('flap damping in the engine (item 2)', () => {
  it('down 5 min, up 50 s, down 4 min 30 s: the second outage is flapping and pages no one', () => {
    const r = (rig = engineRig());
    const log: string[] = [];
    drive(r, log, MIN);
    drive(r, log, 5 * MIN, ['library-ap']); // first poll down at 70 s
    drive(r, log, 50_000); // up at 370 s
    drive(r, log, 4.5 * MIN, ['library-ap']); // down at 420 s: the third change within 10 min
    drive(r, log, 2 * MIN);
    // The old code paged at 670 s, when the change at 70 s left the window, 4 min 10 s after the last change.
    expect(log).toEqual(['firing at 100', 'resolved at 370']);
  });

  it('when the second outage lasts, it pages once it has held for flap.quiet after the last change, not before', () => {
    const r = (rig = engineRig());
    const log: string[] = [];
    drive(r, log, MIN);
    drive(r, log, 5 * MIN, ['library-ap']);
    drive(r, log, 50_000);
    drive(r, log, 8 * MIN, ['library-ap']); // down from 420 s
    drive(r, log, MIN);
    expect(log).toEqual(['firing at 100', 'resolved at 370', 'firing at 720', 'resolved at 900']);
  });
});

describe('pending time across a gap in data (item 3)', () => {
  it('a device seen down, then nothing heard for 5 minutes, then down again: pending starts again', () => {
    const r = (rig = engineRig({ config: testConfig({ roles: { 'access-point': { 'device-down': { for: '2m' } } } }) }));
    const log: string[] = [];
    drive(r, log, MIN);
    drive(r, log, 20_000, ['library-ap']); // down at 70 s and 80 s: pending (for 2 min)
    expect(r.engine.alerts().map((a) => `${a.device} ${a.state}`)).toEqual(['library-ap pending']);
    // The agent keeps reporting, but library-ap's checks stop (no samples): after 3 intervals it is unknown.
    for (let t = 0; t < 5 * MIN; t += 10_000) {
      r.clock.t += 10_000;
      r.engine.status(agentStatus('online', r.clock.t));
      r.engine.samples(r.site.id, 'north-primary-1', []);
      r.engine.tick();
    }
    expect(r.engine.deviceStates(r.site.id).get('library-ap')).toBe('unknown');
    const back = r.clock.t + 10_000;
    drive(r, log, 20_000, ['library-ap']);
    // The old code kept `since` at 70 s and fired at once; now the pending time runs from the first poll after the gap.
    expect(log).toEqual([]);
    expect(r.engine.alerts()[0]).toMatchObject({ state: 'pending', since: back });
    drive(r, log, 100_000, ['library-ap']);
    expect(log).toEqual([]);
    drive(r, log, 10_000, ['library-ap']);
    expect(log).toEqual([`firing at ${(back - T0 + 120_000) / 1000}`]);
  });
});

describe('device_state stamped with the measured time (item 4)', () => {
  /** "device state @seconds since T0" of every device_state point written. */
  const states = (points: string[]) =>
    points
      .filter((l) => l.startsWith('device_state,'))
      .map((l) => {
        const device = /device=([^, ]+)/.exec(l)![1];
        const state = /state="(\w+)"/.exec(l)![1];
        const ms = Number(l.slice(l.lastIndexOf(' ') + 1));
        return `${device} ${state} @${(ms - T0) / 1000}`;
      });

  it('a broadband cut replayed from the spool: the router down for its measured 4 min 30 s, not for the seconds of the replay', () => {
    const r = (rig = engineRig());
    drive(r, [], 30_000);
    r.points.length = 0;
    // The cut: nothing arrives for 5 minutes while the agent spools; the router's WAN side fails from 60 s to 330 s.
    const cutEnd = r.clock.t + 300_000;
    const spooled = [];
    for (let t = r.clock.t + 10_000; t <= cutEnd; t += 10_000) {
      const t0 = t - T0;
      spooled.push(...r.site.devices.map((d) => pingSample(d.name, d.name !== 'router' || t0 < 60_000 || t0 >= 330_000, t)));
    }
    r.clock.t = cutEnd + 4_000;
    r.engine.samples(r.site.id, 'north-primary-1', spooled);
    r.engine.tick();
    expect(states(r.points).filter((s) => s.startsWith('router '))).toEqual(['router down @60', 'router up @330']);
  });

  it('children behind a failing parent are written unreachable, never down, whatever order their samples come in', () => {
    const r = (rig = engineRig());
    drive(r, [], 30_000);
    r.points.length = 0;
    const t = r.clock.t + 10_000;
    r.clock.t = t + 2_000;
    // The children's failed pings come first, in their own batch; the core switch's a second later.
    r.engine.samples(r.site.id, 'north-primary-1', [pingSample('hall-ap', false, t), pingSample('library-ap', false, t + 300), pingSample('office-printer', false, t + 500)]);
    r.engine.tick();
    r.clock.t += 1_000;
    r.engine.samples(r.site.id, 'north-primary-1', [pingSample('router', true, t + 100), pingSample('core-switch', false, t + 1_200)]);
    r.engine.tick();
    const written = states(r.points);
    expect(written.filter((s) => / down /.test(s))).toEqual([`core-switch down @${(t + 1_200 - T0) / 1000}`]);
    expect(written.filter((s) => / unreachable /.test(s)).sort()).toEqual(
      [`hall-ap unreachable @${(t - T0) / 1000}`, `library-ap unreachable @${(t + 300 - T0) / 1000}`, `office-printer unreachable @${(t + 500 - T0) / 1000}`].sort(),
    );
  });
});
