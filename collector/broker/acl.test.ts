import { describe, expect, it } from 'vitest';
import { configTopic, eventsTopic, samplesTopic, statusTopic } from '../../contract/index.ts';
import { checkPublish, checkSubscribe, checkWill, quote } from './acl.ts';

const who = { agent: 'north-1', site: 'north' };

describe('broker ACL', () => {
  it('lets an agent publish its site samples and events and its own status; retained only on status', () => {
    expect(checkPublish(who, samplesTopic('north'), false)).toEqual({ ok: true });
    expect(checkPublish(who, eventsTopic('north'), false)).toEqual({ ok: true });
    expect(checkPublish(who, statusTopic('north', 'north-1'), true)).toEqual({ ok: true });
    expect(checkPublish(who, samplesTopic('north'), true)).toEqual({
      ok: false,
      reason: 'retained publish is allowed only on the status topic',
    });
  });

  it('says why any other publish is denied', () => {
    const reason = (topic: string) => {
      const v = checkPublish(who, topic, false);
      return v.ok ? 'allowed' : v.reason;
    };
    expect(reason(samplesTopic('south'))).toBe('topic of another site "south"');
    expect(reason(statusTopic('north', 'north-2'))).toBe('status topic of another agent "north-2"');
    expect(reason(configTopic('north'))).toBe('the config topic is published by the collector only');
    expect(reason('$SYS/x')).toBe('not a hallmonitor topic: "$SYS/x"');
    expect(reason(`${samplesTopic('north')}/extra`)).toMatch(/^not a hallmonitor topic/);
  });

  it('lets an agent subscribe to its own site config only, exactly', () => {
    expect(checkSubscribe(who, configTopic('north'))).toEqual({ ok: true });
    expect(checkSubscribe(who, configTopic('south'))).toEqual({ ok: false, reason: 'config of another site "south"' });
    expect(checkSubscribe(who, 'hallmonitor/v1/north/#')).toEqual({ ok: false, reason: 'wildcard filters are not allowed' });
    expect(checkSubscribe(who, 'hallmonitor/v1/+/config')).toMatchObject({ ok: false });
    expect(checkSubscribe(who, samplesTopic('north'))).toMatchObject({ ok: false });
  });

  it('accepts a will only on the agent\'s own status topic', () => {
    expect(checkWill(who, statusTopic('north', 'north-1'))).toEqual({ ok: true });
    expect(checkWill(who, statusTopic('south', 'north-1'))).toMatchObject({ ok: false });
  });

  it('bounds topics from the network before they are logged', () => {
    expect(quote('x'.repeat(5_000))).toHaveLength(203);
  });
});
