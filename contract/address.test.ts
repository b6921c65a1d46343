import { isIP, isIPv4, isIPv6 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAddress, parseIpv4, parseIpv6 } from './address.ts';
import { deviceSchema } from './device.ts';
import { describeIssues } from './problems.ts';

const addressProblem = (address: string) => {
  const r = deviceSchema.safeParse({ name: 'd', address });
  return r.success ? undefined : describeIssues(r.error).join('; ');
};

/** RFC 5952 §4 text of eight groups; Node's WHATWG URL parser writes the same form, so each checks the other. */
function rfc5952(groups: readonly number[]): string {
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

const octet = fc.integer({ min: 0, max: 255 });
const group = fc.integer({ min: 0, max: 0xffff });
const groups8 = fc.array(group, { minLength: 8, maxLength: 8 });

describe('device addresses: the cases found by hand', () => {
  it.each([
    ['10.20.0.300', /not a valid IPv4 address/],
    ['999.1.1.1', /not a valid IPv4 address/],
    ['10.20.0', /not a valid IPv4 address/],
    ['0.0.0.0', /this network/],
    ['255.255.255.255', /broadcast/],
    ['224.0.0.1', /multicast/],
    ['239.255.255.250', /multicast/],
    ['%eth0', /zone id without an address/],
    ['::', /unspecified/],
    ['ff02::1', /multicast/],
    ['::1%eth0', /only a link-local address/],
    ['::ffff:255.255.255.255', /broadcast/],
    ['010.0.0.1', /not a valid IPv4 address/],
    ['a_b.school', /not a valid host name/],
    ['-ping-option', /not a valid host name|IP address or host name/],
    ['[::1]', /brackets/],
    ['sw.01', /not a valid host name/],
  ])('refuses %s, saying why', (address, why) => {
    expect(addressProblem(address)).toMatch(new RegExp(`^address: .*${why.source}`));
  });

  it.each(['10.20.0.1', '1.1.1.1', '223.255.255.255', '127.0.0.1', '::1', '2001:db8::42', 'fe80::1%eth0', 'fe80::1%enp3s0.100', '::ffff:10.0.0.1', 'printer-2.north.school.example', 'ap1', '1e100.net', 'host.example.'])(
    'accepts %s',
    (address) => expect(addressProblem(address)).toBeUndefined(),
  );

  it('names the bad address itself in the message', () => {
    expect(addressProblem('10.20.0.300')).toBe('address: expected an IP address or host name; "10.20.0.300" is not a valid IPv4 address (four numbers 0-255 without leading zeros, RFC 791)');
  });
});

describe('device addresses: properties, judged by node:net and the URL parser', () => {
  it('never throws, and whatever it accepts as a literal node:net accepts too', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-fA-F:.%]{0,48}$/), fc.stringMatching(/^[0-9.]{0,20}$/)), (text) => {
        const r = parseAddress(text);
        if (r.ok && r.kind === 'ipv4') expect(isIPv4(text)).toBe(true);
        if (r.ok && r.kind === 'ipv6') expect(isIPv6(text)).toBe(true);
        if (r.ok && r.kind === 'hostname') expect(isIP(text)).toBe(0);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads an IPv4 literal exactly when node:net does', () => {
    fc.assert(
      fc.property(fc.oneof(fc.stringMatching(/^[0-9.]{0,18}$/), fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'))), (text) => {
        expect(parseIpv4(text) !== undefined).toBe(isIPv4(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads an IPv6 literal exactly when node:net does', () => {
    const v6ish = fc.oneof(
      fc.stringMatching(/^[0-9a-fA-F:]{0,40}$/),
      fc.stringMatching(/^[0-9a-f:]{0,30}[0-9.]{0,16}$/),
      groups8.map((g) => rfc5952(g)),
      groups8.map((g) => g.map((x) => x.toString(16)).join(':')),
    );
    fc.assert(
      fc.property(v6ish, (text) => {
        expect(parseIpv6(text) !== undefined, text).toBe(isIPv6(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('reads the same eight groups as the URL parser, in every compressed and mixed form', () => {
    const forms = groups8.chain((g) =>
      fc.constantFrom(
        rfc5952(g),
        g.map((x) => x.toString(16).padStart(4, '0')).join(':'),
        g.map((x) => x.toString(16).toUpperCase()).join(':'),
        `${g.slice(0, 6).map((x) => x.toString(16)).join(':')}:${g[6]! >> 8}.${g[6]! & 0xff}.${g[7]! >> 8}.${g[7]! & 0xff}`,
      ).map((text) => ({ g, text })),
    );
    fc.assert(
      fc.property(forms, ({ g, text }) => {
        expect(parseIpv6(text)).toEqual(g);
        expect(`[${rfc5952(parseIpv6(text)!)}]`).toBe(new URL(`http://[${text}]/`).hostname);
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses every multicast, broadcast and unspecified address, and accepts every other IPv4 literal', () => {
    fc.assert(
      fc.property(fc.tuple(octet, octet, octet, octet), (o) => {
        const refused = o[0] === 0 || (o[0] >= 224 && o[0] <= 239) || o.every((x) => x === 255);
        expect(parseAddress(o.join('.')).ok).toBe(!refused);
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(groups8, (g) => {
        const text = rfc5952(g);
        const refused = g.every((x) => x === 0) || g[0]! >= 0xff00 || (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff && ((g[6]! >> 8) === 0 || (g[6]! >> 8) >= 224));
        expect(parseAddress(text).ok, text).toBe(!refused);
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts as a host name only RFC 1123 names that are not dotted numbers', () => {
    const label = fc.stringMatching(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?$/);
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 5 }), (labels) => {
        const name = labels.join('.');
        const numericTop = /^[0-9]+$/.test(labels[labels.length - 1]!);
        const r = parseAddress(name);
        if (!numericTop) expect(r, name).toEqual({ ok: true, kind: 'hostname', address: name });
        // Dotted numbers are judged as an IPv4 literal, never taken as a name.
        else expect(r.ok ? r.kind === 'ipv4' && isIPv4(name) : true, name).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
