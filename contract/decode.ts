import { isUtf8 } from 'node:buffer';
import { z } from 'zod';
import { FORBIDDEN_KEYS } from './messages.ts';
import { describeIssues } from './problems.ts';
import { WIRE_VERSION } from './version.ts';

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Largest payload any receiver parses; bigger ones are rejected before JSON.parse. */
export const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

class ForbiddenKey extends Error {}

/**
 * JSON.parse makes `"__proto__": …` an own key of the object it builds, and zod's records skip that key, so
 * a value under it would pass validation unseen (and `constructor`/`prototype` find Object.prototype's
 * members in any lookup table). Such keys are refused wherever they occur. The reviver costs a call per
 * value, so it runs only when the text could hold one: the name itself, or a \u escape that could spell it.
 */
const MAY_HOLD_FORBIDDEN_KEY = /__proto__|constructor|prototype|\\u/;
function refuseForbiddenKeys(key: string, value: unknown): unknown {
  if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenKey(`forbidden key ${JSON.stringify(key)}`);
  return value;
}

/** Size, JSON, object and version checks shared by every decoder: the JSON value, or why there is none. */
function parseEnvelope(payload: Buffer | string): Decoded<object> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (size > MAX_PAYLOAD_BYTES) return { ok: false, reason: `payload of ${size} bytes exceeds ${MAX_PAYLOAD_BYTES}` };
  // Invalid UTF-8 would be decoded with U+FFFD in place of the bytes sent, and stored so: not what was sent.
  // RFC 8259 §8.1: JSON exchanged between systems is UTF-8; our encoder (JSON.stringify) never writes anything else.
  if (typeof payload !== 'string' && !isUtf8(payload)) return { ok: false, reason: 'not valid UTF-8' };
  const text = typeof payload === 'string' ? payload : payload.toString('utf8');
  let json: unknown;
  try {
    json = MAY_HOLD_FORBIDDEN_KEY.test(text) ? JSON.parse(text, refuseForbiddenKeys) : JSON.parse(text);
  } catch (err) {
    if (err instanceof ForbiddenKey) return { ok: false, reason: err.message };
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, reason: 'expected a JSON object' };
  }
  const v = (json as { v?: unknown }).v;
  if (v !== WIRE_VERSION) {
    return { ok: false, reason: `unsupported message version ${JSON.stringify(v) ?? 'missing'} (this build speaks ${WIRE_VERSION})` };
  }
  return { ok: true, value: json };
}

function runtimeParse(schema: z.ZodType, json: unknown): Decoded<never> | { ok: true; value: unknown } {
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, reason: describeIssues(result.error).slice(0, 3).join('; ') };
}

/**
 * Parses and validates one message. Never throws: the reason says what was wrong and where, so that
 * a reject can be counted and logged without a stack trace.
 */
export function decodeMessage<S extends z.ZodType>(schema: S, payload: Buffer | string): Decoded<z.output<S>> {
  const envelope = parseEnvelope(payload);
  if (!envelope.ok) return envelope;
  return runtimeParse(schema, envelope.value) as Decoded<z.output<S>>;
}

/**
 * decodeMessage for one schema on a hot path, compiled once (z.compile). A valid message is only checked by
 * the generated validator, which builds no copy: the parsed JSON is the value. So the schema's output must
 * be its input (no defaults, no transforms), which the type asks for. A message the validator refuses goes
 * through zod's runtime parse, which has the last word and gives the same reasons as decodeMessage.
 */
export function compiledDecoder<T>(schema: z.ZodType<T, T>): (payload: Buffer | string) => Decoded<T> {
  const compiled = z.compile(schema);
  return (payload) => {
    const envelope = parseEnvelope(payload);
    if (!envelope.ok) return envelope;
    if (compiled.validate(envelope.value)) return { ok: true, value: envelope.value as T };
    return runtimeParse(schema, envelope.value) as Decoded<T>;
  };
}

export function encodeMessage(message: { v: typeof WIRE_VERSION }): Buffer {
  return Buffer.from(JSON.stringify(message));
}
