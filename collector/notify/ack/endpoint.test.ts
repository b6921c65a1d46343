import { describe, expect, it } from 'vitest';
import { capturingLogger } from '../../storage/test-support.ts';
import { ackConfigSchema } from '../config.ts';
import { startAckEndpoint } from './endpoint.ts';

describe('startAckEndpoint (from collector.yaml notify.ack)', () => {
  it('reads the secret and token from the environment, and its links work against its server', async () => {
    const config = ackConfigSchema.parse({ port: 0, publicUrl: 'https://noc.provider.example', secretEnv: 'HM_ACK_SECRET', apiTokenEnv: 'HM_ACK_TOKEN', linkLifetimeHours: 1 });
    const env = { HM_ACK_SECRET: 's'.repeat(40), HM_ACK_TOKEN: 't'.repeat(40) };
    const acks: string[] = [];
    const { links, server } = await startAckEndpoint(config, { env, log: capturingLogger().log, acknowledge: async (id, by) => (acks.push(`${id} by ${by}`), 'acknowledged') });
    try {
      const link = new URL(links.url('a1', 'Sam'));
      expect(link.origin).toBe('https://noc.provider.example');
      const form = await fetch(`${server.url}/ack`, { method: 'POST', body: link.searchParams });
      expect(form.status).toBe(200);
      const api = await fetch(`${server.url}/api/alerts/a2/ack`, { method: 'POST', headers: { authorization: `Bearer ${env.HM_ACK_TOKEN}` } });
      expect(api.status).toBe(200);
      expect(acks).toEqual(['a1 by Sam', 'a2 by api']);
    } finally {
      await server.close();
    }
  });

  it('a missing secret variable is a config error naming it', async () => {
    const config = ackConfigSchema.parse({ publicUrl: 'https://noc.provider.example', secretEnv: 'HM_ACK_UNSET' });
    await expect(startAckEndpoint(config, { env: {}, log: capturingLogger().log, acknowledge: async () => 'unknown' })).rejects.toThrow(
      'notify.ack.secretEnv: environment variable HM_ACK_UNSET is not set',
    );
  });
});
