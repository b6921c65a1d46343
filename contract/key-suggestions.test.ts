import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, parseConfigText } from './config-file.ts';
import { deviceListSchema } from './device.ts';
import { editDistance, knownKeysAt, nearestKey } from './key-suggestions.ts';

const site = z.strictObject({ id: z.string(), timezone: z.string().default('UTC'), devices: deviceListSchema.default([]) });
const problem = (yaml: string) => {
  try {
    parseConfigText('sites/west.yaml', yaml, site);
    return undefined;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.message;
  }
};

describe('unknown config keys', () => {
  it('names a misspelt key by its own path, before the missing key it was meant to be', () => {
    expect(problem('id: west\ndevices:\n  - name: sw1\n    address: 10.0.0.1\n  - name: ap1\n    adress: 10.0.0.2\n')).toBe(
      'sites/west.yaml: devices[1].adress: unknown key; did you mean "address"?',
    );
  });

  it('finds keys below defaults, arrays, optional objects and the SNMP version union', () => {
    expect(problem('id: west\ndevices:\n  - name: a\n    address: 10.0.0.1\n    checks:\n      snmp:\n        version: "3"\n        usr: m\n')).toBe(
      'sites/west.yaml: devices[0].checks.snmp.usr: unknown key; did you mean "user"?',
    );
    expect(problem('id: west\ndevices:\n  - name: a\n    address: 10.0.0.1\n    checks:\n      ping:\n        Probes: 3\n')).toBe(
      'sites/west.yaml: devices[0].checks.ping.Probes: unknown key; did you mean "probes"?',
    );
    expect(problem('id: west\ntimezon: UTC\n')).toBe('sites/west.yaml: timezon: unknown key; did you mean "timezone"?');
  });

  it('lists what is allowed when nothing is close, and stays quiet about keys that are right', () => {
    expect(problem('id: west\ncolour: blue\n')).toBe('sites/west.yaml: colour: unknown key; expected one of id, timezone, devices');
    expect(problem('id: west\ntimezone: UTC\n')).toBeUndefined();
  });

  it('says how many other unknown keys the same object has', () => {
    expect(problem('id: west\ntimezon: UTC\ndevice: []\nzzz: 1\n')).toBe('sites/west.yaml: timezon: unknown key; did you mean "timezone"? (and 2 more unknown keys there)');
  });

  it('suggests only near keys: case, one slip in a short key, up to three in a long one', () => {
    expect(nearestKey('ADDRESS', ['address', 'name'])).toBe('address');
    expect(nearestKey('nmae', ['name', 'role'])).toBe('name');
    expect(nearestKey('maxInFlite', ['maxInFlight', 'maxBytes'])).toBe('maxInFlight');
    expect(nearestKey('xyz', ['name', 'role'])).toBeUndefined();
    expect(nearestKey('ab', ['xy'])).toBeUndefined();
    expect(editDistance('adress', 'address')).toBe(1);
    expect(editDistance('nmae', 'name')).toBe(1);
  });

  it('reads the keys of the object at a path, through wrappers', () => {
    expect(knownKeysAt(site, ['devices', 0])).toEqual(['name', 'address', 'role', 'parent', 'checks']);
    expect(knownKeysAt(site, ['nowhere'])).toEqual([]);
  });
});

describe('YAML that expands without bound', () => {
  it('refuses a billion-laughs document with one line, before it grows', () => {
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [prev, name] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f'], ['f', 'g'], ['g', 'h']] as const) {
      laughs.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const before = process.memoryUsage().heapUsed;
    expect(() => parseConfigText('agent.yaml', laughs.join('\n'), z.object({}))).toThrow(ConfigError);
    expect(() => parseConfigText('agent.yaml', laughs.join('\n'), z.object({}))).toThrow(/^agent\.yaml: not valid config YAML: Excessive alias count/);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('refuses an alias without its anchor with one line', () => {
    expect(() => parseConfigText('agent.yaml', 'a: *nope\n', z.object({}))).toThrow(/^agent\.yaml: /);
  });
});

describe('any YAML document (property)', () => {
  it('is either valid or refused with one ConfigError line naming the file; nothing else escapes', async () => {
    const fc = (await import('fast-check')).default;
    const { stringify } = await import('yaml');
    const key = fc.oneof(fc.constantFrom('id', 'timezone', 'devices', 'name', 'address', 'checks', 'ping', 'snmp', 'version', 'role', 'parent'), fc.string({ maxLength: 12 }));
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 1 }), fc.dictionary(key, tie('node'), { maxKeys: 4 }), fc.array(tie('node'), { maxLength: 3 })),
    })).node;
    fc.assert(
      fc.property(fc.oneof(value.map((v) => stringify(v)), fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 8 }).map((k) => stringify({ id: 'x', [`${k}\n`]: 1 }))), (text) => {
        try {
          parseConfigText('sites/x.yaml', text, site);
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
          const message = (err as Error).message;
          expect(message.startsWith('sites/x.yaml')).toBe(true);
          expect(message.split('\n')).toHaveLength(1);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
