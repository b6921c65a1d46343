import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../contract/index.ts';
import { collectorConfigSchema } from './schema.ts';

const parse = (extra: string) => parseConfigText('collector.yaml', `influx:\n  url: http://127.0.0.1:8086\n${extra}`, collectorConfigSchema);

describe('collector.yaml retention', () => {
  it('defaults to 45 days raw and 800 days of rollups', () => {
    expect(parse('').retention).toEqual({ rawDays: 45, rollupDays: 800 });
    expect(parse('retention:\n  rawDays: 62\n').retention).toEqual({ rawDays: 62, rollupDays: 800 });
  });

  it('refuses too short a raw retention, naming path and reason', () => {
    expect(() => parse('retention:\n  rawDays: 31\n')).toThrow('collector.yaml: retention.rawDays: at least 40 (a full monthly report plus margin)');
  });

  it('refuses too short a rollup retention and fractional days', () => {
    expect(() => parse('retention:\n  rollupDays: 365\n')).toThrow('collector.yaml: retention.rollupDays: at least 730 (two years of rollups, for year-on-year reports)');
    expect(() => parse('retention:\n  rawDays: 45.5\n')).toThrow('collector.yaml: retention.rawDays: a whole number of days');
    expect(() => parse('retention:\n  rawDay: 45\n')).toThrow('collector.yaml: retention.rawDay: unknown key; did you mean "rawDays"?');
  });
});
