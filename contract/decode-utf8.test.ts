import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeMessage } from './decode.ts';
import { WIRE_VERSION } from './version.ts';

const schema = z.strictObject({ v: z.literal(WIRE_VERSION), text: z.string() });
const bytes = (inner: number[]) => Buffer.concat([Buffer.from(`{"v":${WIRE_VERSION},"text":"`), Buffer.from(inner), Buffer.from('"}')]);

describe('decodeMessage and UTF-8', () => {
  it('refuses bytes that are not UTF-8 (a stray continuation byte, an overlong "/", an encoded surrogate, a truncated sequence)', () => {
    for (const bad of [[0x80], [0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82]]) {
      expect(decodeMessage(schema, bytes(bad))).toEqual({ ok: false, reason: 'not valid UTF-8' });
    }
  });
  it('takes valid UTF-8 of every length as it is', () => {
    const text = 'aé€😀';
    expect(decodeMessage(schema, bytes([...Buffer.from(text)]))).toEqual({ ok: true, value: { v: WIRE_VERSION, text } });
  });
});
