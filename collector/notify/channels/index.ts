import { ConfigError, type Logger } from '../../../contract/index.ts';
import type { SmtpConfig } from '../../config/schema.ts';
import type { ChannelConfig } from '../config.ts';
import type { Channel } from '../notification.ts';
import { resolveSecret, scrubber } from '../secrets.ts';
import { smtpTransport } from '../smtp-transport.ts';
import { emailChannel } from './email/email.ts';

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
      return emailChannel({ id: config.id, transport: smtpTransport(deps.smtp, env), from: deps.smtp.from, log, scrub: scrubber([password]) });
    }
    default:
      throw new ConfigError(`${where}: channel type ${config.type} is not available yet`);
  }
}

/** Every channel of collector.yaml `notify.channels`, by id. */
export function createChannels(configs: readonly ChannelConfig[], deps: ChannelDeps): Map<string, Channel> {
  return new Map(configs.map((c, i) => [c.id, createChannel(c, deps, i)]));
}
