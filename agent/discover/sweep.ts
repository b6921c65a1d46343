import { createLogger, deviceSchema, pingCheckSchema } from '../../contract/index.ts';
import type { CheckContext } from '../checks/check.ts';
import { createPingCheck } from '../checks/ping/ping-check.ts';

/** Whether an address answers ICMP echo. Never rejects for a host that does not answer. */
export type Pinger = (address: string) => Promise<boolean>;

/**
 * The agent's own ping check (system ping), one echo request with the given wait: a sweep only needs
 * to know who is there. A faster batch pinger (fping) can be passed to discover() instead.
 */
export function systemPinger(timeoutSeconds: number): Pinger {
  const check = createPingCheck();
  const config = pingCheckSchema.parse({ probes: 1, timeoutSeconds });
  const ctx: CheckContext = { now: () => Date.now(), log: createLogger('discover', 'silent') };
  return async (address) => {
    const [sample] = await check.run(deviceSchema.parse({ name: 'sweep', address }), config, ctx);
    return sample?.fields.up === 1;
  };
}
