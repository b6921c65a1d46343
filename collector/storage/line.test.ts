import { InfluxDB } from 'influx';
import { describe, expect, it } from 'vitest';
import { toWirePoint } from './line.ts';

/** The line the library would send for a point, without a server: writePoints' own serialisation. */
function lineFor(point: Parameters<typeof toWirePoint>[0]): string {
  const client = new InfluxDB({ host: '127.0.0.1', database: 'x' });
  let body = '';
  (client as unknown as { _pool: { discard(o: { body: string }): Promise<void> } })._pool.discard = async (o) => {
    body = o.body;
  };
  void client.writePoints([toWirePoint(point)], { precision: 'ms' });
  return body;
}

const T = 1_700_000_000_123;

describe('toWirePoint', () => {
  it('writes numbers as floats, booleans and strings as line protocol, time in ms', () => {
    expect(lineFor({ measurement: 'ping', tags: { site: 's1' }, fields: { n: 3, x: 1.5, up: true }, timestamp: 1_700_000_000_123 })).toBe(
      'ping,site=s1 n=3,up=true,x=1.5 1700000000123',
    );
  });

  it('escapes separators in the measurement, tag keys and values, and field keys', () => {
    expect(lineFor({ measurement: 'a b,c', tags: { 'if name': 'Gi1/0/1, uplink=core' }, fields: { v: 1 }, timestamp: T })).toBe(
      `a\\ b\\,c,if\\ name=Gi1/0/1\\,\\ uplink\\=core v=1 ${T}`,
    );
  });

  it("quotes strings with quotes and backslashes escaped, and keeps \\' as it is", () => {
    expect(lineFor({ measurement: 'm', fields: { s: `say "hi" C:\\ it\\'s` }, timestamp: T })).toBe(`m s="say \\"hi\\" C:\\\\ it\\\\'s" ${T}`);
    expect(lineFor({ measurement: 'm', tags: { t: "it\\'s" }, fields: { v: 1 }, timestamp: T })).toBe(`m,t=it\\'s v=1 ${T}`);
  });

  it('refuses a point the library could not serialise, instead of letting it block the queue', () => {
    expect(() => toWirePoint({ fields: { v: 1 }, timestamp: T })).toThrow('a point needs a measurement');
    expect(() => toWirePoint({ measurement: 'm', fields: { v: 1 } })).toThrow('timestamp must be an integer number of ms');
    expect(() => toWirePoint({ measurement: 'm', fields: { v: 1 }, timestamp: new Date(T) })).toThrow('got');
    expect(() => toWirePoint({ measurement: 'm', fields: { v: 1 }, timestamp: '1700000000000' })).toThrow('got 1700000000000');
  });
});
