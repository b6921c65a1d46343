import { ConfigError, type Logger } from '../../../contract/index.ts';
import type { SmtpConfig } from '../../config/schema.ts';
import type { ChannelConfig } from '../config.ts';
import type { Channel } from '../notification.ts';
import { resolveSecret, scrubber, urlSecrets } from '../secrets.ts';
import { smtpTransport } from '../smtp-transport.ts';
import { emailChannel } from './email/email.ts';
import { slackChannel } from './slack/slack.ts';
import { teamsChannel } from './teams/teams.ts';
import { webhookChannel } from './webhook/webhook.ts';

export interface ChannelDeps {
  /** collector.yaml `smtp:`; an email channel needs it. */
  smtp?: SmtpConfig;
  log: Logger;
  env?: NodeJS.ProcessEnv;
}

/** One channel from its collector.yaml entry; secrets named by `...Env` are read from the environment here, once. */
export function createChannel(config: ChannelConfig, deps: ChannelDeps, index = 0): Channel {
  const env = deps.env ?? process.env;
  const where = `notify.channels[${index}] (${config.id})`;
  const log = deps.log.child({ channel: config.id });
  switch (config.type) {
    case 'email': {
      if (deps.smtp === undefined) throw new ConfigError(`${where}: an email channel needs collector.yaml's smtp: section`);
      const password = resolveSecret(deps.smtp.password, deps.smtp.passwordEnv, env, 'smtp.password');
      return emailChannel({ id: config.id, transport: smtpTransport(deps.smtp, env, config.timeoutSeconds * 1000), from: deps.smtp.from, log, scrub: scrubber([password]) });
    }
    case 'teams':
    case 'slack': {
      const url = resolveSecret(config.url, config.urlEnv, env, `${where}.url`)!;
      const target = { id: config.id, url: checkedUrl(url, where), timeoutMs: config.timeoutSeconds * 1000, scrub: scrubber(urlSecrets(url)) };
      return config.type === 'teams' ? teamsChannel(target) : slackChannel(target);
    }
    case 'webhook': {
      const url = resolveSecret(config.url, config.urlEnv, env, `${where}.url`)!;
      const secret = resolveSecret(config.secret, config.secretEnv, env, `${where}.secret`)!;
      const scrub = scrubber([...urlSecrets(url), secret, ...Object.values(config.headers)]);
      return webhookChannel({ id: config.id, url: checkedUrl(url, where), timeoutMs: config.timeoutSeconds * 1000, scrub, secret, headers: config.headers });
    }
  }
}

/** A URL from the environment gets the check the schema gives one written in the file; the error never shows it. */
function checkedUrl(url: string, where: string): string {
  let ok = false;
  try {
    ok = /^https?:$/.test(new URL(url).protocol);
  } catch {
    ok = false;
  }
  if (!ok) throw new ConfigError(`${where}.url: expected an http(s) URL (value not shown: it holds a token)`);
  return url;
}

/** Every channel of collector.yaml `notify.channels`, by id. */
export function createChannels(configs: readonly ChannelConfig[], deps: ChannelDeps): Map<string, Channel> {
  return new Map(configs.map((c, i) => [c.id, createChannel(c, deps, i)]));
}
