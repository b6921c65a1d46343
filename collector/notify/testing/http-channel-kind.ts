import { freeTcpPort } from '../../../test/harness/index.ts';
import type { ChannelKind, ChannelUnderTest } from '../channels/channel-suite.ts';
import { createChannel } from '../channels/index.ts';
import type { ChannelConfig } from '../config.ts';
import { startHttpReceiver, type HttpReceiver } from './http-receiver.ts';

/**
 * A webhook channel (Teams, Slack, webhook) wired to a real HTTP receiver on loopback, for the channel
 * suite. `configure` gets the receiver's URL and returns the channel's collector.yaml entry, the
 * environment it reads, and the secrets in them.
 */
export function httpChannelKind(
  configure: (baseUrl: string) => { config: ChannelConfig; env: NodeJS.ProcessEnv; secrets: string[] },
  onReceiver?: (receiver: HttpReceiver) => void,
): ChannelKind {
  return {
    async make(log): Promise<ChannelUnderTest> {
      const receiver = await startHttpReceiver({ port: await freeTcpPort() });
      onReceiver?.(receiver);
      const { config, env, secrets } = configure(receiver.url);
      const channel = createChannel(config, { log, env });
      return {
        channel,
        secrets,
        delivered: () => receiver.accepted.map((r) => r.body),
        async set(mode) {
          receiver.accept();
          if (mode === 'down') return receiver.stop();
          await receiver.start();
          if (mode === 'transient') receiver.failAll(500);
          if (mode === 'permanent') receiver.failAll(400);
          if (mode === 'unauthorized') receiver.failAll(401);
        },
        close: () => receiver.stop(),
      };
    },
  };
}
