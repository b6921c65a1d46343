import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFraming } from './framing.ts';

const limits = { connectMaxBytes: 100, publishMaxBytes: 1_000, controlMaxBytes: 50 };
const header = (type: number, length: number) => {
  const bytes = [type << 4];
  do {
    let b = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) b |= 0x80;
    bytes.push(b);
  } while (length > 0);
  return Buffer.from(bytes);
};

describe('MQTT fixed-header framing', () => {
  it('refuses a CONNECT over the limit at its length bytes, before its body', () => {
    const f = createFraming(limits);
    expect(f.feed(header(1, 101))).toBe('connect too large');
    expect(createFraming(limits).feed(header(1, 100))).toBeUndefined(); // just under: fine
  });

  it('applies the after-login limits per packet type once logged in', () => {
    const f = createFraming(limits);
    expect(f.feed(Buffer.concat([header(1, 10), Buffer.alloc(10)]))).toBeUndefined();
    f.loggedIn();
    expect(f.feed(Buffer.concat([header(3, 1_000), Buffer.alloc(1_000)]))).toBeUndefined();
    expect(f.feed(header(8, 51))).toBe('packet too large');
    const g = createFraming(limits);
    g.feed(Buffer.concat([header(1, 10), Buffer.alloc(10)]));
    g.loggedIn();
    expect(g.feed(header(3, 1_001))).toBe('packet too large');
  });

  it('refuses a first packet that is not CONNECT, reserved types and a fifth length byte', () => {
    expect(createFraming(limits).feed(header(3, 0))).toBe('not a CONNECT first');
    expect(createFraming(limits).feed(Buffer.from([0x00, 0x00]))).toBe('reserved packet type');
    expect(createFraming({ ...limits, connectMaxBytes: 2 ** 30 }).feed(Buffer.from([0x10, 0x80, 0x80, 0x80, 0x80]))).toBe('malformed remaining length');
  });

  it('gives the same verdict however the bytes are split', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(300), { maxLength: 5 }), (bytes, cuts) => {
      const whole = createFraming(limits).feed(Buffer.from(bytes));
      const f = createFraming(limits);
      let verdict: string | undefined;
      let at = 0;
      for (const cut of [...cuts.sort((a, b) => a - b), bytes.length]) {
        const end = Math.min(bytes.length, Math.max(at, cut));
        verdict = f.feed(Buffer.from(bytes.subarray(at, end))) ?? verdict;
        at = end;
      }
      // A refusal is final, and found whichever way the bytes came; a pre-login byte budget can only refuse.
      if (whole !== undefined && whole !== 'too much before login') expect(verdict).toBe(whole);
    }));
  });
});
