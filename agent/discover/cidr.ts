/** An IPv4 network in CIDR notation (RFC 4632), e.g. 10.20.0.0/24. */
export interface Ipv4Network {
  /** The network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

export function ipv4ToNumber(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** Parses "a.b.c.d/p" (or a single address, as /32); host bits are cleared. Throws with what was expected. */
export function parseCidr(text: string): Ipv4Network {
  const [address, prefixText, ...rest] = text.trim().split('/');
  const n = ipv4ToNumber(address ?? '');
  const prefix = prefixText === undefined ? 32 : /^\d{1,2}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (n === undefined || rest.length > 0 || !(prefix >= 0 && prefix <= 32)) {
    throw new RangeError(`${JSON.stringify(text)}: expected an IPv4 network such as 10.20.0.0/24`);
  }
  const size = 2 ** (32 - prefix);
  return { base: n - (n % size), prefix };
}

/**
 * The host addresses of a network: without the network and broadcast addresses, except for /31
 * (RFC 3021, two hosts) and /32 (one). Refuses networks larger than `maxHosts`, so a typo such as /8
 * does not start a sweep of 16 million addresses.
 */
export function hostAddresses(network: Ipv4Network, maxHosts: number): string[] {
  const size = 2 ** (32 - network.prefix);
  const [first, last] = network.prefix >= 31 ? [0, size - 1] : [1, size - 2];
  const count = last - first + 1;
  if (count > maxHosts) {
    throw new RangeError(`${numberToIpv4(network.base)}/${network.prefix} has ${count} host addresses, more than ${maxHosts}; use a smaller network or raise --max-hosts`);
  }
  const out: string[] = [];
  for (let i = first; i <= last; i++) out.push(numberToIpv4(network.base + i));
  return out;
}
