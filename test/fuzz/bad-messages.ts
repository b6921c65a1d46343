import { MAX_PAYLOAD_BYTES, MAX_SAMPLES_PER_BATCH, WIRE_VERSION, decodeMessage, samplesBatchSchema, type Sample, type SamplesBatch } from '../../contract/index.ts';

/** mulberry32: small, fast and seedable, so a failing run can be replayed from its printed seed. */
export function rngFrom(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    bytes: (n) => {
      const out = Buffer.alloc(n);
      for (let i = 0; i < n; i++) out[i] = Math.floor(next() * 256);
      return out;
    },
  };
}

export interface Rng {
  /** In [0, 1). */
  next(): number;
  /** In [lo, hi], both included. */
  int(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
  bytes(n: number): Buffer;
}

/** Where a bad message should end up in the collector's counters. */
export type Counter = 'invalid' | 'oversize' | 'site-mismatch' | 'agent-mismatch' | 'duplicate' | 'publish-denied';

/** What the test sends; each kind lands in exactly one counter. */
export const BAD_KINDS = {
  'malformed-json': 'invalid',
  truncated: 'invalid',
  binary: 'invalid',
  // The broker acknowledges, counts and drops these before the ingest sees them.
  oversized: 'oversize',
  'large-valid-size': 'invalid',
  'wrong-version': 'invalid',
  'wrong-schema': 'invalid',
  replayed: 'duplicate',
  'site-mismatch': 'site-mismatch',
  'agent-mismatch': 'agent-mismatch',
  'cross-site-topic': 'publish-denied',
} as const satisfies Record<string, Counter>;
export type BadKind = keyof typeof BAD_KINDS;

/** Who sends: the agent's own id and site, plus the ids it must not claim. */
export interface Sender {
  agent: string;
  site: string;
  otherSite: string;
  otherAgent: string;
}

/** The valid batch the agent sends as its `seq`-th: unique (series, time) per sample, so InfluxDB keeps every one. */
export function validBatch(sender: Sender, seq: number, samples: number, baseMs: number): SamplesBatch {
  const time = baseMs + seq * 1000;
  return {
    v: WIRE_VERSION,
    agent: sender.agent,
    site: sender.site,
    seq,
    sentAt: time + 999,
    samples: Array.from({ length: samples }, (_, i): Sample => ({
      measurement: 'fuzz',
      tags: { agent: sender.agent, device: `dev-${i % 7}` },
      fields: { value: seq + i / 1000, ok: i % 2 === 0, note: `s${seq}` },
      time: time + i,
    })),
  };
}

/** Raw JSON text for a number JSON.stringify cannot write (1e400 parses to Infinity). */
const RAW = '"\u0000raw:';
const raw = (text: string): string => `${RAW}${text}`;
function stringifyWithRaw(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000raw:([^"]*)"/g, '$1');
}

const CONTROL = ['\u0000', '\u0001', '\n', '\r', '\t', '\u001b', '\u001f', '\u007f'];
const BAD_INTS = [-1, 1.5, '7', 'NaN', 'Infinity', null, true, [], {}, 2 ** 53, -(2 ** 60), raw('1e400'), raw('-1e400'), raw('1.0e3.5')];
const BAD_TIMES = [0, -1, 946_684_799_999, 4_102_444_800_001, 1e15, 1.7e12 + 0.5, '1764300000000', 'NaN', null, raw('1e400'), raw('-0.5e13'), false];
const BAD_IDS = ['', 'North', '-north', 'a/b', 'a+b', '#', 'x'.repeat(64), 'ok\u0000', 'naïve', 42, null, ['north']];
const BAD_NAMES = ['', 'Ping', '1ping', 'ping-loss', 'p'.repeat(64), 'time', 'a b', 'é', 'a\n', 5, null];
const BAD_TAG_VALUES = ['', 'x'.repeat(257), 'trailing\\', 'tab\there', 'nul\u0000', 'esc\u001b[31m', 'del\u007f', 'line\nbreak', 3, true, null, ['a'], { a: 'b' }];
const BAD_FIELD_VALUES = [null, [], [1], { nested: 1 }, 'x'.repeat(4097), raw('1e400'), raw('-1e999')];

type Json = Record<string, unknown>;

function withControl(rng: Rng, text: string): string {
  const at = rng.int(0, text.length);
  return text.slice(0, at) + rng.pick(CONTROL) + text.slice(at);
}

/** One schema mutation of one field of the batch or of one of its samples. Every one breaks the contract. */
function mutateSchema(rng: Rng, batch: Json): void {
  const samples = batch.samples as Json[];
  const sample = rng.pick(samples);
  const tags = sample.tags as Json;
  const fields = sample.fields as Json;
  const mutations: (() => void)[] = [
    () => delete batch[rng.pick(['agent', 'site', 'seq', 'sentAt', 'samples'])],
    () => (batch[rng.pick(['extra', 'Agent', 'samples ', '__proto_', 'constructor'])] = rng.pick([1, 'x', null, {}])),
    () => (batch.agent = rng.pick(BAD_IDS)),
    () => (batch.site = rng.pick(BAD_IDS)),
    () => (batch.seq = rng.pick(BAD_INTS)),
    () => (batch.sentAt = rng.pick(BAD_TIMES)),
    () => (batch.samples = rng.pick([[], null, {}, 'samples', 7, [null], [[]], ['x']])),
    () => (batch.samples = Array.from({ length: MAX_SAMPLES_PER_BATCH + 1 }, () => samples[0])),
    () => delete sample[rng.pick(['measurement', 'tags', 'fields', 'time'])],
    () => (sample[rng.pick(['value', 'Time', 'site', 'x'])] = 1),
    () => (sample.measurement = rng.next() < 0.5 ? rng.pick(BAD_NAMES) : withControl(rng, 'ping')),
    () => (sample.tags = rng.pick([null, [], 'tags', 1, [['device', 'gw']]])),
    () => (tags[rng.pick(BAD_NAMES.filter((n): n is string => typeof n === 'string'))] = 'gw'),
    () => (tags[withControl(rng, 'device')] = 'gw'),
    () => (tags.device = rng.pick(BAD_TAG_VALUES)),
    () => (tags.device = withControl(rng, 'core-switch')),
    () => (sample.fields = rng.pick([{}, null, [], 'fields', 0])),
    () => (fields[rng.pick(BAD_NAMES.filter((n): n is string => typeof n === 'string'))] = 1),
    () => (fields.value = rng.pick(BAD_FIELD_VALUES)),
    () => (sample.time = rng.pick(BAD_TIMES)),
  ];
  rng.pick(mutations)();
}

/** Makes text that is not JSON (or not an object) from a valid batch's text. */
function corruptJson(rng: Rng, text: string): string {
  const at = rng.int(1, text.length - 2);
  const corruptions: (() => string)[] = [
    () => '',
    () => text.slice(0, at) + rng.pick(['{', '}', '"', ',', ':', ']', '\\', 'NaN', 'undefined', '\u0000']) + text.slice(at),
    () => text.replace(/:/, '='),
    () => text.replace(/"/g, "'"),
    () => text.replace(/"(\w+)":/, '$1:'),
    () => `${text.slice(0, -1)},}`,
    () => `/* comment */${text}`,
    () => `${text}${text}`,
    () => text.replace(/\d+/, 'NaN'),
    () => `[${text}]`,
    () => rng.pick(['null', 'true', '42', '"batch"', '[]', '{"v":1', '{{}}', 'NaN', '\ufeff' + text]),
  ];
  return rng.pick(corruptions)();
}

/** A payload over MAX_PAYLOAD_BYTES (by 1 byte to 2 MiB): a valid batch padded, or garbage. */
function oversized(rng: Rng, text: string): Buffer {
  const size = MAX_PAYLOAD_BYTES + rng.pick([1, 2, rng.int(3, 2 * 1024 * 1024)]);
  if (rng.next() < 0.5) return Buffer.from(text + ' '.repeat(size - Buffer.byteLength(text)));
  return Buffer.alloc(size, rng.pick(['a', '{', '[', '\u0000']));
}

/** A payload at or just under the limit, so it is parsed, that the schema still refuses. */
function largeValidSize(rng: Rng, batch: Json): Buffer {
  const limitMinus = MAX_PAYLOAD_BYTES - rng.int(0, 64 * 1024);
  const sample = (batch.samples as Json[])[0]!;
  const pick = rng.int(0, 3);
  if (pick === 0) (sample.fields as Json).note = 'n'.repeat(limitMinus - 4096); // a string field over 4096
  else if (pick === 1) (sample.tags as Json).device = 'd'.repeat(limitMinus - 4096); // a tag value over 256
  else if (pick === 2) batch.samples = Array.from({ length: MAX_SAMPLES_PER_BATCH + 1 }, () => sample);
  else (sample.fields as Json).value = raw('['.repeat(50_000) + ']'.repeat(50_000)); // deep nesting
  const text = stringifyWithRaw(batch);
  // Padding after the JSON is allowed by JSON.parse: it brings the size right up to the limit.
  const padded = text.length < limitMinus ? text + ' '.repeat(limitMinus - text.length) : text;
  return Buffer.from(padded);
}

/**
 * The bytes of one bad message of `kind` from `sender` (not for replayed or cross-site-topic, which the test
 * builds from its own traffic). Deterministic in `rng`. Checked against the contract's decoder: a generator
 * that made something acceptable would make the counts wrong, so that is a bug here, not in the collector.
 */
export function badPayload(kind: Exclude<BadKind, 'replayed' | 'cross-site-topic'>, rng: Rng, sender: Sender, baseMs: number): Buffer {
  const shouldDecode = kind === 'site-mismatch' || kind === 'agent-mismatch';
  let last = '';
  // A corruption can land somewhere harmless (a "}" inside a string): try again, still deterministically.
  for (let attempt = 0; attempt < 20; attempt++) {
    const payload = attemptPayload(kind, rng, sender, baseMs);
    const decoded = decodeMessage(samplesBatchSchema, payload);
    if (decoded.ok === shouldDecode) return payload;
    last = `${decoded.ok ? 'decodes' : `does not decode (${decoded.reason})`}: ${payload.subarray(0, 300).toString()}`;
  }
  throw new Error(`fuzz generator bug: a ${kind} message ${last}`);
}

function attemptPayload(kind: Exclude<BadKind, 'replayed' | 'cross-site-topic'>, rng: Rng, sender: Sender, baseMs: number): Buffer {
  const batch = validBatch(sender, rng.int(0, 10_000), rng.int(1, 5), baseMs) as unknown as Json;
  const text = JSON.stringify(batch);
  let payload: Buffer;
  switch (kind) {
    case 'malformed-json':
      payload = Buffer.from(corruptJson(rng, text));
      break;
    case 'truncated':
      payload = Buffer.from(text).subarray(0, rng.int(1, Buffer.byteLength(text) - 1));
      break;
    case 'binary':
      payload = rng.bytes(rng.int(1, 2048));
      break;
    case 'oversized':
      payload = oversized(rng, text);
      break;
    case 'large-valid-size':
      payload = largeValidSize(rng, batch);
      break;
    case 'wrong-version':
      if (rng.next() < 0.2) delete batch.v;
      else batch.v = rng.pick([0, 2, -1, 1.5, '1', 'v1', null, true, [1], { v: 1 }, raw('1e400')]);
      payload = Buffer.from(stringifyWithRaw(batch));
      break;
    case 'wrong-schema':
      mutateSchema(rng, batch);
      payload = Buffer.from(stringifyWithRaw(batch));
      break;
    case 'site-mismatch':
      batch.site = sender.otherSite;
      payload = Buffer.from(JSON.stringify(batch));
      break;
    case 'agent-mismatch':
      batch.agent = sender.otherAgent;
      payload = Buffer.from(JSON.stringify(batch));
      break;
  }
  return payload;
}
