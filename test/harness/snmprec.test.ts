import { describe, expect, it } from 'vitest';
import {
  decodeEntry,
  parseSnmprec,
  recordingInterfaceIndexes,
  recordingRowCount,
  recordingText,
  recordingValue,
} from './index.ts';

describe('recordings', () => {
  it('counts interfaces from ifTable and ifXTable rows as MANIFEST.md lists them', () => {
    // name -> IF-MIB rows per MANIFEST.md
    const expected: Record<string, number> = {
      procurve_e2910: 39,
      unifi_nanohd: 29,
      'aruba-instant': 13,
      draytek: 8,
      fortigate_60f: 17,
      'sophos-xg_xgs2100': 49,
      pfsense: 7,
      windows_svr_2019_1809: 24,
      linux_powermon: 5,
      jetdirect_m252dw: 4,
      brother_hl5370dw: 3,
      'eaton-mgeups_5px': 2,
      'apc_smt750x-nmc2': 2,
      cyberpower_pr2200rt2uc: 2,
      'dlink_dgs-1510-28': 36,
    };
    for (const [name, rows] of Object.entries(expected)) {
      expect(recordingInterfaceIndexes(name), name).toHaveLength(rows);
    }
    // Most recordings have no ifIndex column (MANIFEST.md), so counting it would find no interfaces.
    expect(recordingRowCount('procurve_e2910', '1.3.6.1.2.1.2.2.1.1')).toBe(0);
    expect(recordingRowCount('procurve_e2910', '1.3.6.1.2.1.31.1.1.1.6')).toBe(39);
    expect(recordingRowCount('draytek', '1.3.6.1.2.1.2.2.1.1')).toBe(8);
  });

  it('decodes plain and hex-encoded values', () => {
    expect(recordingText('fortigate_60f', '1.3.6.1.2.1.1.1.0')).toBe('');
    expect(recordingText('cyberpower_pr2200rt2uc', '1.3.6.1.2.1.1.1.0')).toBe('UPS SNMP Card');
    expect(recordingValue('draytek', '1.3.6.1.2.1.1.3.0')?.type).toBe('TimeTicks');
    expect(recordingValue('draytek', '1.3.6.1.2.1.99.99.0')).toBeUndefined();

    const [mac, ip, big, moving] = parseSnmprec(
      [
        '1.3.6.1.2.1.2.2.1.6.2|4x|28298606A489',
        '1.3.6.1.2.1.4.20.1.1.10.0.0.1|64x|0a000001',
        '1.3.6.1.2.1.31.1.1.1.6.1|70|18446744073709551615',
        '1.3.6.1.2.1.31.1.1.1.10.1|70:numeric|initial=1,rate=2',
      ].join('\n'),
    ).map(decodeEntry);
    expect(mac).toMatchObject({ type: 'OctetString', bytes: Buffer.from([0x28, 0x29, 0x86, 0x06, 0xa4, 0x89]) });
    expect(ip).toEqual({ type: 'IpAddress', value: '10.0.0.1' });
    expect(big).toEqual({ type: 'Counter64', value: 18446744073709551615n });
    expect(moving).toEqual({ type: 'Counter64', variation: 'numeric', args: 'initial=1,rate=2' });
  });
});
