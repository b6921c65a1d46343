import { describe, expect, it } from 'vitest';
import { toChunk, toLine, type LinePoint } from './line.ts';

const T = 1_700_000_000_123;
const point = (p: Partial<LinePoint>): LinePoint => ({ measurement: 'm', tags: {}, fields: { v: 1 }, time: T, ...p });

describe('toLine', () => {
  it('writes every number as a float (no "i"), booleans as true/false, strings quoted, time in ms', () => {
    expect(toLine(point({ measurement: 'ping', fields: { n: 3, x: 1.5, up: true, down: false, s: 'ok' } }), 's1')).toBe(
      `ping,site=s1 n=3,x=1.5,up=true,down=false,s="ok" ${T}`,
    );
  });

  it('writes numbers as JavaScript prints them, which InfluxDB reads back exactly', () => {
    const fields = { big: 1e21, tiny: 1e-7, neg: -2.5, zero: -0, c64: 18_446_744_073_709_552_000 };
    expect(toLine(point({ fields }), 's1')).toBe(`m,site=s1 big=1e+21,tiny=1e-7,neg=-2.5,zero=0,c64=18446744073709552000 ${T}`);
  });

  it('sorts tags by key, with the site tag in its place, and keeps fields in their order', () => {
    const tags = { role: 'switch', interface: 'Gi1/0/1', device: 'sw-1', zone: 'a', if_index: '7' };
    expect(toLine(point({ tags, fields: { z: 1, a: 2 } }), 'north-primary')).toBe(
      `m,device=sw-1,if_index=7,interface=Gi1/0/1,role=switch,site=north-primary,zone=a z=1,a=2 ${T}`,
    );
  });

  it("sets the site tag to the given site whatever the point's own says", () => {
    expect(toLine(point({ tags: { site: 'south-academy', device: 'x' } }), 'north-primary')).toBe(`m,device=x,site=north-primary v=1 ${T}`);
  });

  it('escapes "," and " " in the measurement; ",", "=" and " " in tag keys, tag values and field keys', () => {
    const p = point({ measurement: 'a b,c=d', tags: { 'if name': 'Gi1/0/1, uplink=core' }, fields: { 'in bps,x=y': 1 } });
    expect(toLine(p, 'site one')).toBe(`a\\ b\\,c=d,if\\ name=Gi1/0/1\\,\\ uplink\\=core,site=site\\ one in\\ bps\\,x\\=y=1 ${T}`);
  });

  it('quotes strings with \'"\' and "\\" escaped, and leaves \\\' and quotes in tags as they are', () => {
    expect(toLine(point({ fields: { s: `say "hi" C:\\ it\\'s` } }), 's1')).toBe(`m,site=s1 s="say \\"hi\\" C:\\\\ it\\\\'s" ${T}`);
    expect(toLine(point({ tags: { t: `it\\'s "x"` } }), 's1')).toBe(`m,site=s1,t=it\\'s\\ "x" v=1 ${T}`);
    expect(toLine(point({ fields: { s: '' } }), 's1')).toBe(`m,site=s1 s="" ${T}`);
  });

  it('passes unicode and newlines in strings through untouched', () => {
    expect(toLine(point({ tags: { room: 'Salle des fêtes – 1er' }, fields: { s: 'naïve ✓\nsecond line' } }), 's1')).toBe(
      `m,room=Salle\\ des\\ fêtes\\ –\\ 1er,site=s1 s="naïve ✓\nsecond line" ${T}`,
    );
  });

  it('refuses what InfluxDB could not parse, instead of sending a line it would drop', () => {
    expect(() => toLine(point({ fields: {} }), 's1')).toThrow('at least one field');
    expect(() => toLine(point({ time: 1.5 }), 's1')).toThrow('time must be an integer number of ms, got 1.5');
    expect(() => toLine(point({ fields: { v: Number.NaN } }), 's1')).toThrow('field "v" is NaN');
  });
});

describe('toChunk', () => {
  it('joins the lines with "\\n" and counts them', () => {
    expect(toChunk([point({ time: T }), point({ time: T + 1 })], 's1')).toEqual({ text: `m,site=s1 v=1 ${T}\nm,site=s1 v=1 ${T + 1}`, points: 2 });
  });
});
