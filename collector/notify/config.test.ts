import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../contract/index.ts';
import { createChannel } from './channels/index.ts';
import { notifyConfigSchema } from './config.ts';
import { capturingLogger } from '../storage/test-support.ts';

const problems = (value: unknown) => notifyConfigSchema.safeParse(value).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

describe('notify config', () => {
  it('is empty by default: no channels, no ack endpoint, retry defaults', () => {
    expect(notifyConfigSchema.parse({})).toEqual({ channels: [], retry: { initialSeconds: 30, maxSeconds: 1800, giveUpHours: 24 } });
  });

  it('a webhook URL comes from the file or the environment, not both and not neither', () => {
    expect(problems({ channels: [{ id: 's', type: 'slack', url: 'https://hooks.slack.example/x', urlEnv: 'SLACK_URL' }] })).toEqual(['channels.0.urlEnv: either url or urlEnv, not both']);
    expect(problems({ channels: [{ id: 's', type: 'slack' }] })).toEqual(['channels.0.url: expected url or urlEnv']);
    expect(problems({ channels: [{ id: 'w', type: 'webhook', urlEnv: 'HOOK' }] })).toEqual(['channels.0.secret: expected secret or secretEnv']);
  });

  it('names a misspelt key, an unknown type, a URL that is not one and a channel id used twice, never echoing a value', () => {
    expect(problems({ channels: [{ id: 'm', type: 'email', to: 'x' }] })).toEqual(['channels.0: Unrecognized key: "to"']);
    expect(problems({ channels: [{ id: 'm', type: 'pager' }] })[0]).toMatch(/^channels\.0\.type: /);
    expect(problems({ channels: [{ id: 't', type: 'teams', url: 'secret-token-not-a-url' }] })).toEqual(['channels.0.url: Invalid URL']);
    expect(problems({ channels: [{ id: 'm', type: 'email' }, { id: 'm', type: 'email' }] })).toEqual(['channels.1.id: channel id "m" is used twice']);
  });

  it('the ack endpoint needs a public URL and a signing secret of at least 32 characters', () => {
    expect(problems({ ack: { publicUrl: 'https://noc.example' } })).toEqual(['ack.secret: expected secret or secretEnv']);
    expect(problems({ ack: { publicUrl: 'https://noc.example', secret: 'short' } })).toEqual(['ack.secret: at least 32 characters']);
    expect(notifyConfigSchema.parse({ ack: { publicUrl: 'https://noc.example', secretEnv: 'ACK_SECRET' } }).ack).toEqual({
      host: '127.0.0.1',
      port: 8080,
      publicUrl: 'https://noc.example',
      secretEnv: 'ACK_SECRET',
      linkLifetimeHours: 72,
    });
  });
});

describe('createChannel', () => {
  const { log } = capturingLogger();
  it('an email channel without collector.yaml smtp: is a config error', () => {
    expect(() => createChannel({ id: 'mail', type: 'email', timeoutSeconds: 10 }, { log }, 3)).toThrow(
      new ConfigError("notify.channels[3] (mail): an email channel needs collector.yaml's smtp: section"),
    );
  });
  it('a URL environment variable that is not set is a config error naming it', () => {
    expect(() => createChannel({ id: 'ops', type: 'slack', urlEnv: 'HM_NOT_SET', timeoutSeconds: 10 }, { log, env: {} })).toThrow(
      'notify.channels[0] (ops).urlEnv: environment variable HM_NOT_SET is not set',
    );
  });
  it('a URL from the environment that is not a URL is refused without showing it', () => {
    expect(() => createChannel({ id: 'ops', type: 'teams', urlEnv: 'U', timeoutSeconds: 10 }, { log, env: { U: 'tok-3333-secret' } })).toThrow(
      'notify.channels[0] (ops).url: expected an http(s) URL (value not shown: it holds a token)',
    );
  });
});
