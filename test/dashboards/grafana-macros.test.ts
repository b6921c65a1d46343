import { describe, expect, it } from 'vitest';
import { interpolate } from './grafana-macros.ts';
import { expectedShape } from './query-shape.ts';

const m = { timeFilter: 'time >= 1000ms and time <= now()', interval: '10s', variables: { site: ['north-primary'], interface: ['Gi1/0/1', 'Po1'] } };

describe('Grafana substitution, as the test applies it', () => {
  it('escapes values in the regex form and joins several as (a|b)', () => {
    expect(interpolate('SELECT x FROM y WHERE "site" =~ /^$site$/ AND "interface" =~ /^$interface$/ AND $timeFilter GROUP BY time($__interval)', m)).toBe(
      'SELECT x FROM y WHERE "site" =~ /^north-primary$/ AND "interface" =~ /^(Gi1\\/0\\/1|Po1)$/ AND time >= 1000ms and time <= now() GROUP BY time(10s)',
    );
  });

  it('refuses a variable used outside the escaped regex form', () => {
    expect(() => interpolate(`SELECT x FROM y WHERE "site" = '$site'`, m)).toThrow(/\$site left/);
  });
});

describe('query shape', () => {
  it('names the outer columns and GROUP BY tags, not the subquery\'s', () => {
    expect(expectedShape('SELECT top("bps", "device", 3) AS "top", "x" AS "7 days" FROM (SELECT mean("a") AS "bps" FROM "m" GROUP BY "device") GROUP BY time($__interval), "site" fill(null)')).toEqual({
      columns: ['top', '7 days'],
      tags: ['site'],
    });
  });
});
