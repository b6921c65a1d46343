import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../contract/index.ts';
import { pingSample, testSite, T0 } from '../testing.ts';
import { StateTimeline, type StatePoint } from './timeline.ts';

// testSite: router ← core-switch ← hall-ap, library-ap, office-printer; all pinged every 10 s.
const site = testSite();
const timeline = () => new StateTimeline({ devices: site.devices, staleAfterIntervals: 3, limits: () => ({ lossPct: 20, rttMs: 250 }) });
const p = (device: string, up: boolean, t: number): Sample => pingSample(device, up, T0 + t);
const show = (points: StatePoint[]) => points.map((x) => `${x.device} ${x.state} @${(x.at - T0) / 1000}`);
const round = (t: number, down: string[] = []) => site.devices.map((d) => p(d.name, !down.includes(d.name), t));

describe('device_state timeline (item 4)', () => {
  it('a spool replay is written at the measured times, not at the time it arrives', () => {
    const tl = timeline();
    expect(show(tl.samples(round(0)))).toEqual(['router up @0', 'core-switch up @0', 'hall-ap up @0', 'library-ap up @0', 'office-printer up @0']);
    // Five minutes of a broadband cut, replayed in one batch: the router's WAN side failed from 30 s to 300 s.
    const replay: Sample[] = [];
    for (let t = 10_000; t <= 330_000; t += 10_000) replay.push(p('router', t < 30_000 || t >= 300_000, t));
    expect(show(tl.samples(replay.reverse()))).toEqual(['router down @30', 'router up @300']);
  });

  it('an unknown written while nothing arrived is overwritten when the replay shows the device was measured throughout', () => {
    const tl = timeline();
    tl.samples(round(0));
    expect(show(tl.unknown('router', T0 + 40_000))).toEqual(['router unknown @40']);
    expect(tl.unknown('router', T0 + 50_000)).toEqual([]);
    const replay = [10_000, 20_000, 30_000, 40_000, 50_000, 60_000].map((t) => p('router', true, t));
    // Same series, same time: InfluxDB replaces the unknown point with the measured state.
    expect(show(tl.samples(replay))).toEqual(['router up @40']);
  });

  it('a real gap stays unknown: the next measurement ends it at its own time', () => {
    const tl = timeline();
    tl.samples(round(0));
    tl.unknown('router', T0 + 40_000);
    expect(show(tl.samples([p('router', true, 400_000)]))).toEqual(['router up @400']);
  });

  it('a child failing before its parent\'s failure arrives is never written down: unreachable, at its own time', () => {
    const tl = timeline();
    tl.samples(round(0));
    tl.samples(round(10_000));
    // hall-ap's failed ping at 20.0 s arrives first; core-switch's last word (10 s) is from the round before.
    expect(show(tl.samples([p('hall-ap', false, 20_000)]))).toEqual([]);
    expect(show(tl.samples([p('router', true, 20_100), p('core-switch', false, 20_800), p('library-ap', false, 21_500), p('office-printer', false, 20_300)]))).toEqual([
      'core-switch down @20.8',
      'hall-ap unreachable @20',
      'office-printer unreachable @20.3',
      'library-ap unreachable @21.5',
    ]);
  });

  it('a child failing while its parent answered in the same round is down', () => {
    const tl = timeline();
    tl.samples(round(0));
    expect(show(tl.samples([p('core-switch', true, 10_000), p('hall-ap', false, 10_400)]))).toEqual(['hall-ap down @10.4']);
  });

  it('a measurement older than the newest one is not written into the past', () => {
    const tl = timeline();
    tl.samples(round(0));
    tl.samples([p('router', true, 20_000)]);
    expect(tl.samples([p('router', false, 10_000)])).toEqual([]);
  });
});
