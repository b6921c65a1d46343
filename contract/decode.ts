import type { z } from 'zod';
import { describeIssues } from './problems.ts';
import { WIRE_VERSION } from './version.ts';

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Largest payload any receiver parses; bigger ones are rejected before JSON.parse. */
export const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

/**
 * Parses and validates one message. Never throws: the reason says what was wrong and where, so that
 * a reject can be counted and logged without a stack trace.
 */
export function decodeMessage<S extends z.ZodType>(schema: S, payload: Buffer | string): Decoded<z.output<S>> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (size > MAX_PAYLOAD_BYTES) return { ok: false, reason: `payload of ${size} bytes exceeds ${MAX_PAYLOAD_BYTES}` };
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, reason: 'expected a JSON object' };
  }
  const v = (json as { v?: unknown }).v;
  if (v !== WIRE_VERSION) {
    return { ok: false, reason: `unsupported message version ${JSON.stringify(v) ?? 'missing'} (this build speaks ${WIRE_VERSION})` };
  }
  const result = schema.safeParse(json);
  if (!result.success) return { ok: false, reason: describeIssues(result.error).slice(0, 3).join('; ') };
  return { ok: true, value: result.data };
}

export function encodeMessage(message: { v: typeof WIRE_VERSION }): Buffer {
  return Buffer.from(JSON.stringify(message));
}
