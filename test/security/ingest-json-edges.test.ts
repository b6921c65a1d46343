import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WIRE_VERSION, samplesTopic } from '../../contract/index.ts';
import type { ChildStats } from '../fuzz/collector-child.ts';
import { encode, type RawClient } from './mqtt-wire.ts';
import { DB, loggedIn, startWireRig, type WireRig } from './wire-rig.ts';

/**
 * The JSON of a samples message at the ingest boundary, written as an attacker would write it rather than as
 * JSON.stringify would: nesting 10,000 levels deep, numbers out of range (1e400, -1e400, 1e-400, -0, 2^53+1,
 * 40-digit integers), duplicate keys (`"site":"north","site":"south"`, in either order, at every level), a
 * byte-order mark, invalid UTF-8, lone surrogates, and `__proto__`/`constructor`/`prototype` at every level.
 * Each message is sent by north's agent over MQTT (QoS 1) to the real collector process; the judge is influxd.
 * Per message: the process survives; exactly one outcome is counted (accepted, or refused with a reason);
 * every sample of an accepted batch is either stored or counted refused; what is stored reads back from
 * InfluxDB equal to what JSON.parse makes of the text, under site north; bytes that are not UTF-8 are refused;
 * nothing is ever stored under south.
 */
let rig: WireRig;
let north: RawClient;
let messageId = 0;
let seq = 0;
/** Each message's samples are stamped inside a second of their own, an hour back: its rows are found by time. */
const BASE = Date.now() - 3_600_000;
let slot = 0;
let baselineRss = 0;

beforeAll(async () => {
  rig = await startWireRig('json-edges');
  north = await loggedIn(rig.collector.port, rig.creds.north1, '127.0.5.1');
  baselineRss = (await rig.collector.ask('gc')).rss;
}, 90_000);
afterAll(async () => {
  north?.socket.destroy();
  await rig?.stop();
});

/** JSON text built from parts, so that it can hold what JSON.stringify never writes. */
type Part = { raw: string } | { obj: Array<[string, Part]> } | { arr: Part[] } | { str: string };
const text = (p: Part): string => {
  if ('raw' in p) return p.raw;
  if ('str' in p) return JSON.stringify(p.str).replace(/[\ud800-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
  if ('arr' in p) return `[${p.arr.map(text).join(',')}]`;
  // A key starting with \u is written as the escape itself ("\u005f_proto__" is "__proto__" to JSON.parse).
  return `{${p.obj.map(([k, v]) => `${k.startsWith('\\u') ? `"${k}"` : JSON.stringify(k)}:${text(v)}`).join(',')}}`;
};
const str = (s: string): Part => ({ str: s });
const raw = (s: string): Part => ({ raw: s });

const DEPTH = 10_000;
const DEEP = [`${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`, `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`, `${'['.repeat(DEPTH)}`, `${'{"__proto__":'.repeat(100)}1${'}'.repeat(100)}`];
const NUMBERS = ['1e400', '-1e400', '-0', '1e-400', '9007199254740993', '-9007199254740993', '1234567890123456789012345678901234567890', '0.1', '1E2', '-1.5e-7', '5e-324', '1.7976931348623157e308', '0', '00', '01', '.5', '1.', '+1', '0x10', 'NaN', 'Infinity'];
const FORBIDDEN = ['__proto__', 'constructor', 'prototype', '\\u005f_proto__'];
/** Text that is valid in a tag value or a string field, or nearly so: surrogate pairs and lone halves, BOMs, NULs, quotes. */
const NASTY = ['\ud800', '\udfff', 'a\ud83d', '\ude00b', '😀', '\ufeff', '\u0000', '\\', 'a\\', '"', '\n', 'é', 'south', 'site=south', ' lead', 'x\\ y\\,'];
const plainText = fc.stringMatching(/^[a-z0-9][a-z0-9 ._-]{0,11}$/);
const plainNumber = fc.oneof(fc.double().filter(Number.isFinite), fc.integer()).map((n) => raw(JSON.stringify(n)));

/**
 * One attack per message (or none), placed at a level chosen by the generator; everything else in the message is
 * plain, so that accepted messages are common enough for the stored-equals-sent side to be exercised.
 */
const attack = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('number' as const), text: fc.constantFrom(...NUMBERS) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('tag-text' as const, 'field-text' as const), text: fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: 'binary', maxLength: 8 })) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deep' as const), text: fc.constantFrom(...DEEP), where: fc.constantFrom('field', 'tag', 'sample', 'envelope') }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('forbidden' as const), key: fc.constantFrom(...FORBIDDEN), where: fc.constantFrom('envelope', 'sample', 'tags', 'fields') }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), key: fc.constantFrom('site', 'agent', 'tag:device', 'tag:role', 'field:value', 'measurement', 'time'), first: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('bom' as const, 'invalid-utf8' as const, 'overlong' as const) }) },
);

const plainSample = fc.record({
  measurement: fc.constantFrom('probe', 'probe2'),
  tags: fc.array(fc.tuple(fc.constantFrom('role', 'ifname'), plainText), { maxLength: 2 }),
  fields: fc.array(fc.tuple(fc.constantFrom('value', 'rtt_ms', 'count'), plainNumber), { minLength: 1, maxLength: 3 }),
});

/** Entries with `key` set again to `value`, before or after the first. */
const dup = (es: Array<[string, Part]>, key: string, value: Part, first: boolean): Array<[string, Part]> => (first ? [[key, value], ...es] : [...es, [key, value]]);
const unique = <T,>(es: Array<[string, T]>): Array<[string, T]> => [...new Map(es).entries()];

const message = fc.record({ samples: fc.array(plainSample, { minLength: 1, maxLength: 3 }), attack, target: fc.nat() }).map(({ samples, attack: a, target }) => Object.assign((at: number): Buffer => {
  const hit = target % samples.length;
  const made = samples.map((s, j): Part => {
    let tags: Array<[string, Part]> = [['device', str(`j${at}`)], ...unique(s.tags).map(([k, v]): [string, Part] => [k, str(v)])];
    let fields: Array<[string, Part]> = unique(s.fields);
    let sample: Array<[string, Part]> = [['measurement', str(s.measurement)], ['tags', { obj: tags }], ['fields', { obj: fields }], ['time', raw(String(BASE + at * 1_000 + j))]];
    if (j !== hit) return { obj: sample };
    if (a.kind === 'number') fields = [...fields.filter(([k]) => k !== 'special'), ['special', raw(a.text)]];
    if (a.kind === 'field-text') fields = [...fields, ['note', str(a.text)]];
    if (a.kind === 'tag-text') tags = [...tags, ['label', str(a.text)]];
    if (a.kind === 'deep' && a.where === 'field') fields = [...fields, ['deep', raw(a.text)]];
    if (a.kind === 'deep' && a.where === 'tag') tags = [...tags, ['deep', raw(a.text)]];
    if (a.kind === 'forbidden' && a.where === 'tags') tags = [...tags, [a.key, str('x')]];
    if (a.kind === 'forbidden' && a.where === 'fields') fields = [...fields, [a.key, raw('1')]];
    if (a.kind === 'duplicate' && a.key.startsWith('tag:')) tags = dup(tags, a.key.slice(4), str('other'), a.first);
    if (a.kind === 'duplicate' && a.key.startsWith('field:')) fields = dup(fields, a.key.slice(6), raw('-1'), a.first);
    sample = [['measurement', str(s.measurement)], ['tags', { obj: tags }], ['fields', { obj: fields }], ['time', raw(String(BASE + at * 1_000 + j))]];
    if (a.kind === 'deep' && a.where === 'sample') sample.push(['deep', raw(a.text)]);
    if (a.kind === 'forbidden' && a.where === 'sample') sample.push([a.key, { obj: [['measurement', str('ping')]] }]);
    if (a.kind === 'duplicate' && a.key === 'measurement') sample = dup(sample, 'measurement', str('ping'), a.first);
    if (a.kind === 'duplicate' && a.key === 'time') sample = dup(sample, 'time', raw(String(BASE + at * 1_000 + 999)), a.first);
    return { obj: sample };
  });
  let top: Array<[string, Part]> = [['v', raw(JSON.stringify(WIRE_VERSION))], ['agent', str('north-1')], ['site', str('north')], ['seq', raw(String(++seq))], ['sentAt', raw(String(Date.now()))], ['samples', { arr: made }]];
  if (a.kind === 'duplicate' && a.key === 'site') top = dup(top, 'site', str('south'), a.first);
  if (a.kind === 'duplicate' && a.key === 'agent') top = dup(top, 'agent', str('south-1'), a.first);
  if (a.kind === 'forbidden' && a.where === 'envelope') top.push([a.key, { obj: [['site', str('south')]] }]);
  if (a.kind === 'deep' && a.where === 'envelope') top.push(['extra', raw(a.text)]);
  const body = Buffer.from(text({ obj: top }), 'utf8');
  if (a.kind === 'bom') return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]);
  // Inside the device tag's string: a stray continuation byte, or an overlong "/" (C0 AF) and an encoded surrogate (ED A0 80).
  const i = body.indexOf(`"j${at}`) + 2;
  if (a.kind === 'invalid-utf8') return Buffer.concat([body.subarray(0, i), Buffer.from([0x80, 0xff]), body.subarray(i)]);
  if (a.kind === 'overlong') return Buffer.concat([body.subarray(0, i), Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80]), body.subarray(i)]);
  return body;
}, { attack: a.kind + ('where' in a ? `:${a.where}` : '') + (a.kind === 'duplicate' ? `:${a.key}` : '') }));

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const outcomes = (s: ChildStats) => ({ accepted: s.ingest.acceptedBatches, refused: sum(s.ingest.rejects), duplicates: s.ingest.duplicates, samples: s.ingest.acceptedSamples, samplesRefused: sum(s.ingest.rejectedSamples) });

/** Every row stored in this message's second, any measurement, with its tags. */
async function rowsOf(from: number): Promise<Array<{ measurement: string; tags: Record<string, string>; fields: Record<string, unknown>; time: number }>> {
  await rig.collector.ask('flush');
  const [r] = await rig.influx.query(`SELECT * FROM /.*/ WHERE time >= ${from}ms AND time < ${from + 1_000}ms GROUP BY *`, DB);
  const rows = [];
  for (const s of r?.series ?? []) {
    for (const v of s.values) {
      const fields: Record<string, unknown> = {};
      s.columns.forEach((c, i) => {
        if (c !== 'time' && v[i] !== null) fields[c] = v[i];
      });
      rows.push({ measurement: s.name, tags: s.tags ?? {}, fields, time: Date.parse(String(v[0])) });
    }
  }
  return rows;
}

describe('JSON at the ingest boundary, judged by influxd', () => {
  it('survives every message; each is counted once; what is stored equals what JSON.parse reads, under north only', { timeout: 120_000 }, async () => {
    const seen = { accepted: 0, refused: 0, stored: 0, samplesRefused: 0 };
    const kinds = new Map<string, { accepted: number; refused: number }>();
    await fc.assert(
      fc.asyncProperty(message, async (make) => {
        const payload = make(slot);
        const from = BASE + slot * 1_000;
        const before = outcomes(await rig.collector.ask('stats'));
        messageId = (messageId % 65_000) + 1;
        north.write(encode({ cmd: 'publish', topic: samplesTopic('north'), payload, qos: 1, messageId }));
        expect(await north.next('puback', 10_000)).toMatchObject({ messageId });
        const after = outcomes(await rig.collector.ask('stats'));
        expect(rig.collector.exited()).toBeUndefined();
        // One outcome per message, never none (a silent drop) and never two.
        expect(after.accepted - before.accepted + after.refused - before.refused + after.duplicates - before.duplicates).toBe(1);
        // Bytes that are not UTF-8 are refused, not stored with U+FFFD in their place.
        if (!isUtf8(payload)) expect(after.refused - before.refused).toBe(1);
        const rows = await rowsOf(from);
        slot++;
        expect(rows.filter((r) => r.tags['site'] !== 'north')).toEqual([]);
        const tally = kinds.get(make.attack) ?? { accepted: 0, refused: 0 };
        kinds.set(make.attack, tally);
        if (after.refused > before.refused) {
          tally.refused++;
          seen.refused++;
          expect(rows).toEqual([]);
          return;
        }
        seen.accepted++;
        tally.accepted++;
        // JSON.parse is the reference reader: what it makes of the text is what must be stored.
        const parsed = JSON.parse(payload.toString('utf8')) as { site: string; samples: Array<{ measurement: string; tags: Record<string, string>; fields: Record<string, unknown>; time: number }> };
        expect(parsed.site).toBe('north');
        const stored = after.samples - before.samples;
        expect(stored + after.samplesRefused - before.samplesRefused).toBe(parsed.samples.length);
        expect(rows.length).toBe(stored);
        seen.stored += stored;
        seen.samplesRefused += after.samplesRefused - before.samplesRefused;
        for (const row of rows) {
          const sent = parsed.samples.filter((s) => s.time === row.time && s.measurement === row.measurement);
          expect(sent.length).toBeGreaterThan(0);
          const match = sent.find((s) => Object.entries(s.tags).every(([k, v]) => row.tags[k] === v) && Object.entries(s.fields).every(([k, v]) => row.fields[k] === v));
          expect(match, `stored ${JSON.stringify(row)} is not one of the samples sent: ${JSON.stringify(sent)}`).toBeDefined();
          expect(row.tags['agent'] ?? 'north-1').toBe('north-1');
        }
      }),
      { numRuns: 200 },
    );
    // Over every message's second (the collector's own measurements, such as alerts_open per site, are written at now).
    const [south] = await rig.influx.query(`SELECT count(*) FROM /.*/ WHERE site = 'south' AND time >= ${BASE}ms AND time < ${BASE + slot * 1_000}ms`, DB);
    expect(south?.series ?? []).toEqual([]);
    const stats = await rig.collector.ask('gc');
    console.log(`JSON edges: ${slot} messages, ${seen.accepted} accepted (${seen.stored} samples stored, ${seen.samplesRefused} refused with a reason), ${seen.refused} refused whole; rejects ${JSON.stringify(stats.ingest.rejects)}, sample rejects ${JSON.stringify(stats.ingest.rejectedSamples)}; collector RSS ${(baselineRss / 2 ** 20).toFixed(0)} → ${(stats.rss / 2 ** 20).toFixed(0)} MiB`);
    expect(stats.rss - baselineRss).toBeLessThan(64 * 2 ** 20);
    console.log(`by attack (accepted/refused): ${[...kinds].sort().map(([k, t]) => `${k} ${t.accepted}/${t.refused}`).join(', ')}`);
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });
});
