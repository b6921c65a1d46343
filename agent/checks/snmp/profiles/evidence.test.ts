import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memorySession } from '../../../../test/harness/memory-session.ts';
import { readSystem } from '../system.ts';
import { DEVICE_CLASSES } from './classify.ts';
import { detectDevice } from './detect.ts';
import { answeredEnterprises, chassisEntity, gatherEvidence } from './evidence.ts';
import { PROFILES } from './index.ts';

const rec = (lines: string[]) => memorySession(lines.join('\n'));
const ENT = '1.3.6.1.2.1.47.1.1.1.1';

describe('answeredEnterprises', () => {
  it('steps over each enterprise subtree with one GETNEXT each, in order', async () => {
    const s = rec(['1.3.6.1.4.1.9.9.1.0|2|1', '1.3.6.1.4.1.9.9.2.0|2|1', '1.3.6.1.4.1.2021.4.5.0|2|1', '1.3.6.1.4.1.8072.1.0|2|1', '1.3.6.1.6.3.1.0|2|1']);
    expect(await answeredEnterprises(s)).toEqual([9, 2021, 8072]);
    expect(s.requests).toBe(4);
  });
  it('stops at the cap', async () => {
    const s = rec(Array.from({ length: 30 }, (_, i) => `1.3.6.1.4.1.${i + 1}.1.0|2|1`));
    expect(await answeredEnterprises(s, 5)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('chassisEntity', () => {
  it('takes the chassis(3) contained in nothing, not the module listed first with a model name', async () => {
    const s = rec([
      `${ENT}.2.1|4|24-port module`,
      `${ENT}.2.10|4|Acme 5130 Switch`,
      `${ENT}.4.1|2|10`,
      `${ENT}.4.10|2|0`,
      `${ENT}.5.1|2|9`,
      `${ENT}.5.10|2|3`,
      `${ENT}.12.10|4|Acme`,
      `${ENT}.13.1|4|MOD-24G`,
      `${ENT}.13.10|4|AC-5130-24G`,
    ]);
    expect(await chassisEntity(s)).toEqual({ index: '10', descr: 'Acme 5130 Switch', name: undefined, mfg: 'Acme', model: 'AC-5130-24G' });
  });
  it('of several chassis (a stack), the one contained in nothing', async () => {
    const s = rec([`${ENT}.4.1|2|5`, `${ENT}.4.2|2|5`, `${ENT}.4.5|2|0`, `${ENT}.5.1|2|3`, `${ENT}.5.2|2|3`, `${ENT}.5.5|2|3`, `${ENT}.13.1|4|M1`, `${ENT}.13.5|4|STACK`]);
    expect((await chassisEntity(s))?.index).toBe('5');
  });
  it('none when the table is empty', async () => {
    expect(await chassisEntity(rec(['1.3.6.1.2.1.1.1.0|4|x']))).toBeUndefined();
  });
});

describe('detection on anything a device may answer (fast-check)', () => {
  const oid = fc.oneof(
    fc.constantFrom('1.3.6.1.2.1.1.1.0', '1.3.6.1.2.1.1.2.0', '1.3.6.1.2.1.1.7.0', '1.3.6.1.2.1.4.1.0', '1.3.6.1.2.1.17.1.2.0', '1.3.6.1.2.1.33.1.1.1.0'),
    fc
      .tuple(
        fc.constantFrom('1.3.6.1.2.1.47.1.1.1.1.', '1.3.6.1.2.1.2.2.1.3.', '1.3.6.1.2.1.17.1.4.1.2.', '1.3.6.1.2.1.43.8.2.1.', '1.3.6.1.2.1.33.1.', '1.3.6.1.4.1.', '1.2.840.10036.', '1.3.6.1.2.1.25.2.3.1.'),
        fc.array(fc.integer({ min: 0, max: 70_000 }), { minLength: 1, maxLength: 4 }),
      )
      .map(([p, rest]) => p + rest.join('.')),
  );
  const value = fc.oneof(
    fc.integer({ min: -2_147_483_648, max: 2_147_483_647 }).map((n) => `2|${n}`),
    fc.string({ maxLength: 40 }).map((t) => `4x|${Buffer.from(t).toString('hex')}`),
    fc.constantFrom('6|1.3.6.1.4.1.8072.3.2.10', '6|1.3.6.1.4.1.9.1.1208', '6|0.0', '5|', '66|4294967295', '70|18446744073709551615'),
  );

  it('never throws, always gives a known class, a vendor and the evidence, however garbled the answers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(oid, value), { maxLength: 60 }), async (pairs) => {
        const s = rec(pairs.map(([o, v]) => `${o}|${v}`));
        const system = await readSystem(s);
        const result = await detectDevice(s, system, PROFILES, { deadline: Number.POSITIVE_INFINITY, now: Date.now });
        expect('detection' in result).toBe(true);
        if (!('detection' in result)) return;
        const c = result.detection.classification;
        expect(DEVICE_CLASSES).toContain(c.class);
        expect(c.vendor.length).toBeGreaterThan(0);
        expect(c.evidence.length).toBeGreaterThan(0);
        // Evidence gathering stays bounded whatever the device answers.
        expect(s.requests).toBeLessThan(200);
        await gatherEvidence(s);
      }),
      { numRuns: 300 },
    );
  });
});
