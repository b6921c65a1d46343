import { describe, expect, it } from 'vitest';
import type { Varbind } from '../session.ts';
import { SnmpType } from '../values.ts';
import { arubaInstantRadios, bandOfChannel, ciscoWlcRadios, unifiRadios, wirelessPoll } from './wireless.ts';

const int = (value: number): Varbind => ({ oid: '', type: SnmpType.Integer, value });
const text = (value: string): Varbind => ({ oid: '', type: SnmpType.OctetString, value: Buffer.from(value) });
const tags = { device: 'ap1', role: 'access-point' };
const T = 1_750_000_000_000;

describe('wireless clients', () => {
  it('UniFi: sums unifiVapNumStations per radio', () => {
    const radios = unifiRadios(
      [
        { index: '1', stations: int(4), radio: text('ng') },
        { index: '2', stations: int(0), radio: text('ng') },
        { index: '3', stations: int(14), radio: text('na') },
      ],
      'hall-ap',
    );
    expect(radios).toEqual([
      { ap: 'hall-ap', radio: 'ng', band: '2.4ghz', clients: 4 },
      { ap: 'hall-ap', radio: 'na', band: '5ghz', clients: 14 },
    ]);
    const poll = wirelessPoll(radios, tags, T);
    expect(poll.summary).toEqual({ wireless_clients: 18 });
    expect(poll.samples[1]).toEqual({ measurement: 'wireless', tags: { ...tags, ap: 'hall-ap', radio: 'na', band: '5ghz' }, fields: { clients: 14 }, time: T });
  });

  it('Aruba Instant: per AP MAC and radio, AP named from aiAccessPointTable, band from the channel', () => {
    const mac = '112.58.14.201.194.70';
    const radios = arubaInstantRadios(
      [{ index: mac, name: text('instant-ap-src-1') }],
      [
        { index: `${mac}.0`, channel: text('116E'), clients: int(3) },
        { index: '1.2.3.4.5.6.1', channel: text('6'), clients: int(1) },
      ],
    );
    expect(radios).toEqual([
      { ap: 'instant-ap-src-1', radio: '0', band: '5ghz', clients: 3, error: undefined },
      { ap: '01:02:03:04:05:06', radio: '1', band: '2.4ghz', clients: 1, error: undefined },
    ]);
  });

  it('Cisco WLC: bsnApIfNoOfUsers per AP slot', () => {
    const radios = ciscoWlcRadios([{ index: '20.22.157.36.236.128', name: text('ap1') }], [
      { index: '20.22.157.36.236.128.1', type: int(2), clients: { oid: '', type: SnmpType.Counter32, value: 5 } },
    ]);
    expect(radios).toEqual([{ ap: 'ap1', radio: '1', band: '5ghz', clients: 5, error: undefined }]);
  });

  it('a radio with a garbled count is a sample with an error, and no total', () => {
    const poll = wirelessPoll([{ ap: 'a', radio: '0', error: 'bad value in aiRadioClientNum' }], tags, T);
    expect(poll.samples[0]?.fields).toEqual({ error: 'bad value in aiRadioClientNum' });
    expect(poll.summary).toBeUndefined();
  });

  it('bandOfChannel', () => {
    expect(bandOfChannel(1)).toBe('2.4ghz');
    expect(bandOfChannel(36)).toBe('5ghz');
    expect(bandOfChannel(Number.NaN)).toBeUndefined();
  });
});
