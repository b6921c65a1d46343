import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  agentStatusSchema,
  deviceEventSchema,
  compiledDecoder,
  configTopic,
  decodeMessage,
  encodeMessage,
  parseTopic,
  samplesBatchSchema,
  samplesTopic,
  siteConfigMessageSchema,
  statusTopic,
  sampleSchema,
  toTagValue,
} from './index.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('wire fixtures round-trip', () => {
  const cases = [
    ['samples-batch.json', samplesBatchSchema],
    ['agent-status-online.json', agentStatusSchema],
    ['agent-status-will.json', agentStatusSchema],
    ['site-config.json', siteConfigMessageSchema],
    ['device-event-down.json', deviceEventSchema],
  ] as const;
  for (const [name, schema] of cases) {
    it(name, () => {
      const decoded = decodeMessage(schema, fixture(name));
      if (!decoded.ok) throw new Error(decoded.reason);
      const again = decodeMessage(schema, encodeMessage(decoded.value));
      expect(again).toEqual(decoded);
      expect(decoded.value).toEqual(JSON.parse(fixture(name)));
    });
  }
});

const decodeBatch = compiledDecoder(samplesBatchSchema);

describe('compiledDecoder', () => {
  it('decodes a valid batch to the same value as decodeMessage', () => {
    const text = fixture('samples-batch.json');
    expect(decodeBatch(text)).toEqual(decodeMessage(samplesBatchSchema, text));
    expect(decodeBatch(Buffer.from(text))).toMatchObject({ ok: true });
  });
  it('refuses a number JSON can spell but InfluxDB cannot store (1e400 parses as Infinity)', () => {
    const text = fixture('samples-batch.json').replace(/("fields":\s*\{\s*"[a-z_]+":\s*)[-0-9.e]+/, '$11e400');
    expect(Object.values(JSON.parse(text).samples[0].fields)).toContain(Infinity);
    expect(decodeBatch(text)).toEqual({ ok: false, reason: expect.stringMatching(/^samples\[0\]\.fields\.[a-z_]+: Invalid input/) });
  });
});

describe('decodeMessage rejects with a reason', () => {
  const batch = () => JSON.parse(fixture('samples-batch.json'));
  /** The reason decodeMessage gives; the compiled decoder must give the same. */
  const reasonFor = (value: unknown) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const d = decodeMessage(samplesBatchSchema, text);
    expect(d.ok).toBe(false);
    expect(decodeBatch(text)).toEqual(d);
    return d.ok ? '' : d.reason;
  };

  it('unknown version', () => {
    expect(reasonFor({ ...batch(), v: 2 })).toBe('unsupported message version 2 (this build speaks 1)');
    expect(reasonFor({ ...batch(), v: undefined })).toContain('unsupported message version missing');
  });
  it('not JSON / not an object', () => {
    expect(reasonFor('{"v":1,')).toMatch(/^not JSON/);
    expect(reasonFor('[1,2]')).toBe('expected a JSON object');
  });
  it('names the path of a wrong field', () => {
    const b = batch();
    b.samples[1].fields.in_bps = { bits: 1 };
    expect(reasonFor(b)).toMatch(/^samples\[1\]\.fields\.in_bps: /);
  });
  it('refuses unknown keys, measured-at times out of range and empty batches', () => {
    expect(reasonFor({ ...batch(), extra: 1 })).toMatch(/extra/);
    const b = batch();
    b.samples[0].time = 12;
    expect(reasonFor(b)).toMatch(/^samples\[0\]\.time: /);
    expect(reasonFor({ ...batch(), samples: [] })).toMatch(/^samples: /);
  });
  it.each([
    [{ tags: { time: 'x' } }, 'samples[1].tags.time: invalid key: "time" is reserved'],
    [{ fields: { time: 1 } }, 'samples[1].fields.time: invalid key: "time" is reserved'],
    [{ tags: { descr: 'two\nlines' } }, 'samples[1].tags.descr: a tag value without control characters or a trailing backslash (nor a backslash before ",", "=", " ", nor a lone surrogate)'],
    [{ tags: { path: 'C:\\' } }, 'samples[1].tags.path: a tag value without control characters or a trailing backslash (nor a backslash before ",", "=", " ", nor a lone surrogate)'],
  ])('refuses what InfluxDB line protocol cannot carry: %j', (override, reason) => {
    const b = batch();
    Object.assign(b.samples[1], override);
    expect(reasonFor(b)).toBe(reason);
  });
  it('accepts odd but representable tag text', () => {
    const b = batch();
    b.samples[1].tags.interface = 'Gi1/0/1, uplink=core "x"';
    expect(decodeMessage(samplesBatchSchema, JSON.stringify(b)).ok).toBe(true);
    expect(decodeBatch(JSON.stringify(b)).ok).toBe(true);
  });
  it('refuses a device list with an unknown parent', () => {
    const cfg = JSON.parse(fixture('site-config.json'));
    cfg.devices[1].parent = 'nope';
    const d = decodeMessage(siteConfigMessageSchema, JSON.stringify(cfg));
    expect(d.ok ? '' : d.reason).toBe('devices[1].parent: expected the name of a device in this list, got "nope"');
  });
});

describe('topics', () => {
  it('round-trip through parseTopic', () => {
    expect(parseTopic(samplesTopic('north-primary'))).toEqual({ site: 'north-primary', kind: 'samples' });
    expect(parseTopic(configTopic('a1'))).toEqual({ site: 'a1', kind: 'config' });
    expect(parseTopic(statusTopic('a1', 'a1-agent'))).toEqual({ site: 'a1', kind: 'status', agent: 'a1-agent' });
  });
  it('refuse foreign and malformed topics', () => {
    for (const t of ['hallmonitor/v2/a/samples', 'hallmonitor/v1/A/samples', 'hallmonitor/v1/a/samples/x', 'other', 'hallmonitor/v1/+/samples', 'hallmonitor/v1/a/status']) {
      expect(parseTopic(t)).toBeUndefined();
    }
  });
});

describe('toTagValue', () => {
  it('turns device text into a valid tag value', () => {
    expect(toTagValue('Gi1/0/1', 'x')).toBe('Gi1/0/1');
    expect(toTagValue('eth0\u0000\n', 'x')).toBe('eth0');
    expect(toTagValue('C:\\\\', 'x')).toBe('C:');
    expect(toTagValue(' \t', 'if7')).toBe('if7');
    expect(toTagValue('a'.repeat(300), 'x')).toHaveLength(256);
    for (const t of ['a\\', '\u0001', 'x'.repeat(255) + '\\\\']) {
      expect(sampleSchema.safeParse({ measurement: 'm', tags: { t: toTagValue(t, 'f') }, fields: { v: 1 }, time: 1_800_000_000_000 }).success).toBe(true);
    }
  });
});
