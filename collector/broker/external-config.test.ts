import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../contract/index.ts';
import { collectorConfigSchema } from '../config/schema.ts';

const parse = (yaml: string) => parseConfigText('collector.yaml', `influx:\n  url: http://127.0.0.1:8086\n${yaml}`, collectorConfigSchema);

describe('collector.yaml broker.mode and broker.external', () => {
  it('defaults to the embedded broker', () => {
    expect(parse('').broker.mode).toBe('embedded');
    expect(parse('').broker.external).toBeUndefined();
  });

  it('takes an external broker with defaults for user, group and keepalive', () => {
    const { broker } = parse('broker:\n  mode: external\n  external:\n    url: mqtts://mqtt.provider.example:8883\n    password: s3cret\n    ca: ca.pem\n');
    expect(broker.external).toEqual({
      url: 'mqtts://mqtt.provider.example:8883',
      username: 'hallmonitor-collector',
      password: 's3cret',
      group: 'hallmonitor',
      ca: 'ca.pem',
      keepaliveSeconds: 30,
    });
  });

  it('names the key that is wrong', () => {
    const cases: Array<[string, string]> = [
      ['broker:\n  mode: external\n', 'collector.yaml: broker.external: mode: external needs an external section (url, password)'],
      ['broker:\n  external:\n    url: mqtt://h:1883\n    password: x\n', 'collector.yaml: broker.mode: an external section is given: set mode: external'],
      ['broker:\n  mode: cluster\n', 'collector.yaml: broker.mode: '],
      ['broker:\n  mode: external\n  external:\n    url: http://h\n    password: x\n', 'collector.yaml: broker.external.url: an mqtt:// or mqtts:// URL'],
      ['broker:\n  mode: external\n  external:\n    url: mqtt://u:p@h:1883\n    password: x\n', 'collector.yaml: broker.external.url: no user or password in the URL'],
      ['broker:\n  mode: external\n  external:\n    url: mqtt://h:1883\n    password: x\n    grup: a\n', 'collector.yaml: broker.external.grup: unknown key; did you mean "group"?'],
      ['broker:\n  mode: external\n  external:\n    url: mqtt://h:1883\n    password: x\n    group: a/b\n', 'collector.yaml: broker.external.group: letters, digits'],
      ['broker:\n  mode: external\n  external:\n    url: mqtt://h:1883\n', 'collector.yaml: broker.external.password: '],
      ['broker:\n  mode: external\n  external:\n    url: mqtt://h:1883\n    password: x\n    clientId: a-client-id-longer-than-23\n', 'collector.yaml: broker.external.clientId: 1 to 23'],
    ];
    for (const [yaml, message] of cases) expect(() => parse(yaml), yaml).toThrow(message);
  });
});
