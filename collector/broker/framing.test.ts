import fc from 'fast-check';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { createFraming } from './framing.ts';

const { generate, parser: mqttParser } = mqttPacket;

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

  it('refuses a read with more than answeredPerReadMax packets the broker answers itself, after login only', () => {
    const withMax = { ...limits, answeredPerReadMax: 64 };
    const loggedIn = () => {
      const f = createFraming(withMax);
      f.feed(Buffer.concat([header(1, 10), Buffer.alloc(10)]));
      f.loggedIn();
      return f;
    };
    const pings = (n: number) => Buffer.concat(Array.from({ length: n }, () => header(12, 0)));
    // Just at the bound, and at the bound read after read (a keep-alive's pings arrive one a read): fine.
    const f = loggedIn();
    for (let read = 0; read < 10; read++) expect(f.feed(pings(64))).toBeUndefined();
    // One over: refused, for PINGREQ, UNSUBSCRIBE, SUBSCRIBE and PUBREL alike, and mixed.
    expect(loggedIn().feed(pings(65))).toBe('control flood');
    expect(loggedIn().feed(Buffer.concat(Array.from({ length: 65 }, () => Buffer.concat([header(10, 4), Buffer.alloc(4)]))))).toBe('control flood');
    expect(loggedIn().feed(Buffer.concat([pings(40), ...Array.from({ length: 25 }, () => Buffer.concat([header(6, 2), Buffer.alloc(2)]))]))).toBe('control flood');
    // PUBLISHes and PUBACKs are not answered by the broker alone (the ingest paces them): no bound here.
    expect(loggedIn().feed(Buffer.concat(Array.from({ length: 500 }, () => Buffer.concat([header(3, 5), Buffer.alloc(5)]))))).toBeUndefined();
    expect(loggedIn().feed(Buffer.concat(Array.from({ length: 500 }, () => Buffer.concat([header(4, 2), Buffer.alloc(2)]))))).toBeUndefined();
    // Without the option (and before login, where other limits hold) nothing is counted.
    const g = createFraming(limits);
    g.feed(Buffer.concat([header(1, 10), Buffer.alloc(10)]));
    g.loggedIn();
    expect(g.feed(pings(1_000))).toBeUndefined();
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

describe('MQTT framing with a sink: oversized payloads dropped at the socket', () => {
  const DROP = 64;
  const big = { connectMaxBytes: 1_000, publishMaxBytes: 10_000, controlMaxBytes: 1_000, dropPayloadAbove: DROP };
  const publish = (topic: string, payload: number, qos: 0 | 1 | 2, id = 7, flags = 0): Buffer =>
    Buffer.from(generate({ cmd: 'publish', topic, payload: Buffer.alloc(payload, 0x7b), qos, messageId: id, retain: (flags & 1) === 1, dup: false }));
  const connect = Buffer.from(generate({ cmd: 'connect', clientId: 'hm-agent-a', protocolVersion: 4, protocolId: 'MQTT', clean: true, keepalive: 30 }));
  const pingreq = Buffer.from(generate({ cmd: 'pingreq' }));

  /** Feeds `bytes` cut at `cuts`, logging in after the CONNECT; answers what the parser would get, and the drops. */
  const run = (bytes: Buffer, cuts: number[]) => {
    const passed: Buffer[] = [];
    const skipped: number[] = [];
    const f = createFraming(big, { pass: (b) => passed.push(Buffer.from(b)), skipped: (n) => skipped.push(n) });
    f.feed(bytes.subarray(0, connect.length));
    f.loggedIn();
    let at = connect.length;
    let verdict: string | undefined;
    for (const cut of [...cuts.map((c) => connect.length + c).sort((a, b) => a - b), bytes.length]) {
      const end = Math.min(bytes.length, Math.max(at, cut));
      verdict = f.feed(bytes.subarray(at, end)) ?? verdict;
      at = end;
    }
    return { out: Buffer.concat(passed), skipped, verdict };
  };

  it('passes a payload at the limit whole, and drops one a byte over, keeping topic, packet id and flags', () => {
    const atLimit = publish('hallmonitor/v1/north/samples', DROP, 1);
    const over = publish('hallmonitor/v1/north/samples', DROP + 1, 1, 9, 1);
    const { out, skipped } = run(Buffer.concat([connect, atLimit, over, pingreq]), []);
    expect(skipped).toEqual([DROP + 1]);
    const parsed: Array<Record<string, unknown>> = [];
    const parser = mqttParser();
    parser.on('packet', (p) => parsed.push(p as unknown as Record<string, unknown>));
    parser.parse(out.subarray(connect.length));
    expect(parsed.map((p) => [p['cmd'], p['topic'], p['messageId'], (p['payload'] as Buffer | null | undefined)?.length, p['retain']])).toEqual([
      ['publish', 'hallmonitor/v1/north/samples', 7, DROP, false],
      ['publish', 'hallmonitor/v1/north/samples', 9, 0, true],
      ['pingreq', null, undefined, undefined, false],
    ]);
  });

  it('gives the parser the same bytes however the input is split: everything but the dropped payloads', () => {
    const packet = fc.record({
      topic: fc.string({ minLength: 1, maxLength: 80 }),
      payload: fc.nat(3 * DROP),
      qos: fc.constantFrom(0 as const, 1 as const, 2 as const),
      id: fc.integer({ min: 1, max: 65_535 }),
      retain: fc.nat(1),
    });
    fc.assert(fc.property(fc.array(fc.oneof(packet, fc.constant('ping' as const)), { maxLength: 8 }), fc.array(fc.nat(2_000), { maxLength: 8 }), (packets, cuts) => {
      const wire = packets.map((p) => (p === 'ping' ? pingreq : publish(p.topic, p.payload, p.qos, p.id, p.retain)));
      const expected = packets.map((p, k) => {
        if (p === 'ping' || p.payload <= DROP) return wire[k]!;
        return publish(p.topic, 0, p.qos, p.id, p.retain);
      });
      const { out, skipped, verdict } = run(Buffer.concat([connect, ...wire]), cuts);
      expect(verdict).toBeUndefined();
      expect(out.equals(Buffer.concat([connect, ...expected]))).toBe(true);
      expect(skipped).toEqual(packets.flatMap((p) => (p !== 'ping' && p.payload > DROP ? [p.payload] : [])));
    }), { numRuns: 300 });
  });

  it('refuses a PUBLISH whose topic length runs past its packet, and QoS 3', () => {
    // Remaining length 70, topic length 0xffff: malformed.
    const bad = Buffer.from([0x32, 70, 0xff, 0xff, ...Buffer.alloc(68)]);
    expect(run(Buffer.concat([connect, bad]), []).verdict).toBe('malformed publish');
    const qos3 = Buffer.from([0x36, 70, 0x00, 0x01, 0x61, ...Buffer.alloc(67)]);
    expect(run(Buffer.concat([connect, qos3]), []).verdict).toBe('malformed publish');
  });

  it('drops nothing before login: a CONNECT is never rewritten', () => {
    const passed: Buffer[] = [];
    const f = createFraming(big, { pass: (b) => passed.push(Buffer.from(b)), skipped: () => undefined });
    expect(f.feed(connect)).toBeUndefined();
    expect(Buffer.concat(passed).equals(connect)).toBe(true);
  });
});
