import { afterEach, describe, expect, it } from 'vitest';
import { engineRig } from './testing.ts';

/**
 * A turn passes on to the pipeline only the findings it can act on (engine.ts `tick`): active ones, and all
 * findings of a subject with an alert open or a flap history. These are the cases where a clear finding of a
 * subject with no open alert still matters, and the quiet side where dropping it changes nothing.
 */
let rig: ReturnType<typeof engineRig> | undefined;
afterEach(() => rig?.close());

const flapOf = (r: ReturnType<typeof engineRig>, device: string) => [...r.store.flapHistory()].filter(([k]) => k.includes(device));

describe('alert engine: which findings a turn passes on', () => {
  it('a subject that went down and came back before firing: its flap history is kept, then forgotten once the window passes', () => {
    const r = (rig = engineRig());
    r.run(20_000);
    r.run(20_000, ['hall-ap']); // pending (for: 30s), never fires
    r.run(30_000);
    expect(r.engine.alerts()).toEqual([]);
    const [entry] = flapOf(r, 'hall-ap');
    expect(entry?.[1]).toMatchObject({ active: false });
    expect(entry?.[1].changes).toHaveLength(2);
    // No alert is open for it: only its clear findings, passed on for its flap history, let it be forgotten.
    r.run(11 * 60_000);
    expect(flapOf(r, 'hall-ap')).toEqual([]);
    expect(r.dispatcher.deliveries).toEqual([]);
  });

  it('quiet side: a healthy school leaves no flap history, no alert, no message', () => {
    const r = (rig = engineRig());
    r.run(5 * 60_000);
    expect([...r.store.flapHistory()]).toEqual([]);
    expect(r.engine.alerts()).toEqual([]);
    expect(r.dispatcher.deliveries).toEqual([]);
  });

  it('a device flapping three times within the window is still damped when its clear findings come between', () => {
    const r = (rig = engineRig({}));
    r.run(20_000);
    for (let i = 0; i < 3; i++) {
      r.run(20_000, ['hall-ap']);
      r.run(20_000);
    }
    const [entry] = flapOf(r, 'hall-ap');
    expect(entry?.[1].flapping).toBe(true);
  });
});
