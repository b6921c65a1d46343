/**
 * The address of a device as a site file gives it: an IPv4 or IPv6 literal, parsed strictly, or a host name
 * as RFC 1123 allows. Anything that looks like a literal is judged as one and never falls back to being a
 * name ("10.20.0.300" is a wrong address, not a host called that). Addresses a device cannot have are
 * refused: unspecified, broadcast and multicast.
 */

export type ParsedAddress =
  | { ok: true; kind: 'ipv4' | 'ipv6' | 'hostname'; address: string }
  | { ok: false; reason: string };

const fail = (reason: string): ParsedAddress => ({ ok: false, reason });

/** Four decimal octets 0-255, no leading zeros (which some resolvers read as octal), or undefined. */
export function parseIpv4(text: string): [number, number, number, number] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const octets: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    octets.push(n);
  }
  return octets as [number, number, number, number];
}

/** Eight 16-bit groups from the RFC 4291 §2.2 text forms (with "::" and a dotted IPv4 tail), or undefined. */
export function parseIpv6(text: string): number[] | undefined {
  if (text.length > 45) return undefined;
  let head = text;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.includes('.', lastColon)) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
    // Keep the colon(s) before the tail: "::1.2.3.4" leaves "::", "a::1.2.3.4" leaves "a::", "a:b:1.2.3.4" leaves "a:b".
    head = text.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const group = /^[0-9A-Fa-f]{1,4}$/;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!group.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  if (halves.length === 1) {
    const all = groups(head);
    if (all === undefined || all.length + tail.length !== 8) return undefined;
    return [...all, ...tail];
  }
  const left = groups(halves[0]!);
  const right = groups(halves[1]!);
  if (left === undefined || right === undefined) return undefined;
  const given = left.length + right.length + tail.length;
  // "::" stands for at least one group of zeros (RFC 5952 §4.2.2 says writers should not use it for one; readers accept it).
  if (given > 7) return undefined;
  return [...left, ...Array<number>(8 - given).fill(0), ...right, ...tail];
}

/** An RFC 1123 §2.1 host name: labels of letters, digits and inner hyphens, 1-63 each, 253 in all. */
export function isHostName(text: string): boolean {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  if (!labels.every((l) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l))) return false;
  // RFC 1123 §2.1: a name must not look like dotted decimal; RFC 3696 §2: the top-level label is not all digits.
  return !/^[0-9]+$/.test(labels[labels.length - 1]!);
}

function ipv4Refusal(o: readonly number[]): string | undefined {
  if (o[0] === 0) return 'is in 0.0.0.0/8, "this network" (RFC 1122 §3.2.1.3): no device has it';
  if (o[0]! >= 224 && o[0]! <= 239) return 'is a multicast group (224.0.0.0/4, RFC 5771), not a device';
  if (o.every((x) => x === 255)) return 'is the limited broadcast address (RFC 919), not a device';
  return undefined;
}

function ipv6Refusal(g: readonly number[]): string | undefined {
  if (g.every((x) => x === 0)) return 'is the unspecified address "::" (RFC 4291 §2.5.2), not a device';
  if ((g[0]! & 0xff00) === 0xff00) return 'is a multicast address (ff00::/8, RFC 4291 §2.7), not a device';
  // An IPv4-mapped address (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) is judged as the IPv4 address it carries.
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return ipv4Refusal([g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff]);
  }
  return undefined;
}

const isLinkLocal = (g: readonly number[]) => (g[0]! & 0xffc0) === 0xfe80;

/** Parses a device address; the reason of a refusal is a phrase to follow the address in an error. */
export function parseAddress(text: string): ParsedAddress {
  if (text.length === 0) return fail('is empty');
  if (text.length > 253) return fail('is longer than 253 characters (RFC 1123)');
  if (text.startsWith('[') || text.endsWith(']')) return fail('has brackets; write the IPv6 address without them');
  if (text.includes(':') || text.includes('%')) {
    const [literal, zone, ...more] = text.split('%');
    const groups = parseIpv6(literal!);
    if (groups === undefined) return fail(literal === '' ? 'is a zone id without an address' : 'is not a valid IPv6 address (RFC 4291 §2.2)');
    if (zone !== undefined) {
      if (more.length > 0 || !/^[A-Za-z0-9_.-]{1,15}$/.test(zone)) return fail('has a zone id that is not an interface name');
      if (!isLinkLocal(groups)) return fail('has a zone id, which only a link-local address (fe80::/10) takes (RFC 6874)');
    }
    const refusal = ipv6Refusal(groups);
    return refusal === undefined ? { ok: true, kind: 'ipv6', address: text } : fail(refusal);
  }
  // Digits and dots only, or four dot-separated parts ending in digits: meant as IPv4, so judged as IPv4.
  if (/^[0-9.]+$/.test(text) || /^[^.]+\.[^.]+\.[^.]+\.[0-9]+$/.test(text)) {
    const octets = parseIpv4(text);
    if (octets === undefined) return fail('is not a valid IPv4 address (four numbers 0-255 without leading zeros, RFC 791)');
    const refusal = ipv4Refusal(octets);
    return refusal === undefined ? { ok: true, kind: 'ipv4', address: text } : fail(refusal);
  }
  if (!isHostName(text)) return fail('is not a valid host name (letters, digits and inner "-" in labels of up to 63, RFC 1123)');
  return { ok: true, kind: 'hostname', address: text };
}
