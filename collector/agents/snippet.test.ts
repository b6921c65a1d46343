import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { agentConfigSchema } from '../../agent/config/schema.ts';
import { agentConfigSnippet, caFromSnippet } from './snippet.ts';

describe('agent config snippet', () => {
  it('is a valid agent.yaml carrying the agent, site, broker URL and password', () => {
    const text = agentConfigSnippet({ id: 'north-1', site: 'north', password: 'pW_-9xyz', brokerUrl: 'mqtts://collector.example.net:8883' });
    expect(text).toMatch(/^# hallmonitor agent "north-1" for site "north"/);
    const config = agentConfigSchema.parse(parse(text));
    expect(config).toMatchObject({
      agent: 'north-1',
      site: 'north',
      broker: { url: 'mqtts://collector.example.net:8883', password: 'pW_-9xyz' },
    });
  });

  it('quotes a password YAML would otherwise read as a number or a list item', () => {
    for (const password of ['-123', '123456', 'true', '1e10']) {
      const text = agentConfigSnippet({ id: 'a', site: 's', password, brokerUrl: 'mqtt://h:1883' });
      expect(agentConfigSchema.parse(parse(text)).broker.password).toBe(password);
    }
  });
});

describe('agent config snippet with the collector\'s CA pinned (issue 11 item 10)', () => {
  const pem = '-----BEGIN CERTIFICATE-----\nMIIBdTCCARugAwIBAgIUZ0\nabc+/=\n-----END CERTIFICATE-----\n';
  it('names mqtts:// and the CA file, and carries the PEM exactly', () => {
    const text = agentConfigSnippet({ id: 'north-1', site: 'north', password: 'pW', brokerUrl: 'mqtts://collector.example.net:8883', caPem: pem });
    const config = agentConfigSchema.parse(parse(text));
    expect(config.broker).toMatchObject({ url: 'mqtts://collector.example.net:8883', ca: 'hallmonitor-ca.pem' });
    expect(caFromSnippet(text)).toBe(pem);
  });
  it('quiet side: without a CA there is no ca key and no PEM', () => {
    const text = agentConfigSnippet({ id: 'a', site: 's', password: 'p', brokerUrl: 'mqtts://h:8883' });
    expect(agentConfigSchema.parse(parse(text)).broker.ca).toBeUndefined();
    expect(caFromSnippet(text)).toBeUndefined();
  });
});
