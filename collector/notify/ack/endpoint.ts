import type { Logger } from '../../../contract/index.ts';
import type { AckConfig } from '../config.ts';
import { resolveSecret } from '../secrets.ts';
import { ackLinks, type AckLinks } from './link.ts';
import { startAckServer, type AckServer, type Acknowledge } from './server.ts';

/** The links of collector.yaml `notify.ack`, with the signing secret from the file or the environment. */
export function ackLinksFromConfig(config: AckConfig, env: NodeJS.ProcessEnv = process.env, now?: () => number): AckLinks {
  const secret = resolveSecret(config.secret, config.secretEnv, env, 'notify.ack.secret')!;
  return ackLinks({ publicUrl: config.publicUrl, secret, lifetimeMs: Math.round(config.linkLifetimeHours * 3_600_000), ...(now ? { now } : {}) });
}

/** collector.yaml `notify.ack` in one call: the links for notifications and the endpoint that honours them. */
export async function startAckEndpoint(
  config: AckConfig,
  deps: { acknowledge: Acknowledge; describe?: (alertId: string) => Promise<string | undefined>; log: Logger; env?: NodeJS.ProcessEnv; now?: () => number },
): Promise<{ links: AckLinks; server: AckServer }> {
  const env = deps.env ?? process.env;
  const links = ackLinksFromConfig(config, env, deps.now);
  const apiToken = resolveSecret(config.apiToken, config.apiTokenEnv, env, 'notify.ack.apiToken');
  const server = await startAckServer({
    host: config.host,
    port: config.port,
    links,
    acknowledge: deps.acknowledge,
    log: deps.log.child({ component: 'ack' }),
    ...(apiToken !== undefined ? { apiToken } : {}),
    ...(deps.describe ? { describe: deps.describe } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  return { links, server };
}
