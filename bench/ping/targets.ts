import { createDeadHost, createTestNet, type DeadHost, type TestNet } from '../../test/harness/index.ts';

export interface PingTargets {
  /** Every target, in sweep order. */
  addresses: string[];
  /** The ones that must not answer. */
  down: Set<string>;
  describe: string;
  remove(): Promise<void>;
}

/**
 * The sweep's targets: loopback addresses (every 127/8 address answers) and, as root, hosts in a network
 * namespace of our own plus addresses routed into one that drops them (RIG.md): nothing leaves the machine.
 */
export async function pingTargets(total: number): Promise<PingTargets> {
  const root = process.getuid?.() === 0;
  const nsHosts = root ? Math.min(40, Math.floor(total / 5)) : 0;
  const downHosts = root ? Math.min(10, Math.floor(total / 20)) : 0;
  const loopback = total - nsHosts - downHosts;
  const addresses: string[] = [];
  for (let i = 0; i < loopback; i++) addresses.push(`127.0.${2 + Math.floor(i / 250)}.${1 + (i % 250)}`);
  let net: TestNet | undefined;
  let dead: DeadHost | undefined;
  const down = new Set<string>();
  try {
    if (nsHosts > 0) {
      net = await createTestNet({ hosts: nsHosts });
      addresses.push(...net.addresses);
    }
    if (downHosts > 0) {
      dead = await createDeadHost();
      const prefix = dead.address.replace(/\.\d+$/, '');
      for (let i = 1; i <= downHosts; i++) down.add(`${prefix}.${i}`);
      addresses.push(...down);
    }
  } catch (error) {
    await net?.remove();
    await dead?.remove();
    throw error;
  }
  return {
    addresses,
    down,
    describe: `${loopback} loopback, ${nsHosts} namespace hosts, ${downHosts} down (routed into a namespace that drops them)`,
    async remove() {
      await net?.remove();
      await dead?.remove();
    },
  };
}
