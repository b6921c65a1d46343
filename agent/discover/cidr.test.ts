import { describe, expect, it } from 'vitest';
import { hostAddresses, ipv4ToNumber, numberToIpv4, parseCidr } from './cidr.ts';

describe('CIDR', () => {
  it('parses networks and clears host bits', () => {
    expect(parseCidr('10.20.0.0/24')).toEqual({ base: ipv4ToNumber('10.20.0.0'), prefix: 24 });
    expect(numberToIpv4(parseCidr('10.20.0.77/28').base)).toBe('10.20.0.64');
    expect(parseCidr('192.0.2.1')).toEqual({ base: ipv4ToNumber('192.0.2.1'), prefix: 32 });
  });
  it('refuses what is not an IPv4 network', () => {
    for (const bad of ['10.0.0.300/24', '10.0.0/24', '10.0.0.0/33', '10.0.0.0/x', 'fe80::/64', '10.0.0.0/24/1', '010.0.0.0/8']) {
      expect(() => parseCidr(bad), bad).toThrow(/expected an IPv4 network/);
    }
  });
  it('lists host addresses without network and broadcast, except /31 and /32', () => {
    expect(hostAddresses(parseCidr('127.0.83.0/29'), 100)).toEqual(['127.0.83.1', '127.0.83.2', '127.0.83.3', '127.0.83.4', '127.0.83.5', '127.0.83.6']);
    expect(hostAddresses(parseCidr('10.0.0.6/31'), 100)).toEqual(['10.0.0.6', '10.0.0.7']);
    expect(hostAddresses(parseCidr('10.0.0.6/32'), 100)).toEqual(['10.0.0.6']);
    expect(hostAddresses(parseCidr('255.255.255.252/30'), 100)).toEqual(['255.255.255.253', '255.255.255.254']);
  });
  it('refuses a network larger than the limit', () => {
    expect(() => hostAddresses(parseCidr('10.0.0.0/16'), 4096)).toThrow('10.0.0.0/16 has 65534 host addresses, more than 4096');
  });
});
