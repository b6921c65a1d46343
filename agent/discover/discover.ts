import type { SnmpCheckConfig } from '../../contract/index.ts';
import { mapBounded } from './pool.ts';
import { probeSnmp } from './probe.ts';
import type { Progress } from './progress.ts';
import type { FoundHost } from './propose.ts';
import type { Pinger } from './sweep.ts';

export interface DiscoverPlan {
  addresses: readonly string[];
  /** SNMP settings to try on each host, in order. */
  snmp: readonly SnmpCheckConfig[];
  concurrency: number;
  /** false: probe SNMP on every address, for networks where ICMP is filtered. */
  ping: boolean;
}

export interface DiscoverDeps {
  pinger: Pinger;
  progress: Progress;
}

/**
 * Ping sweep, then an SNMP probe of each host that answered (or of every address without the sweep),
 * each with at most `concurrency` hosts at once. Returns the hosts that answered anything.
 */
export async function discover(plan: DiscoverPlan, deps: DiscoverDeps): Promise<FoundHost[]> {
  const { progress } = deps;
  let alive: readonly string[] = plan.addresses;
  const pinged = new Set<string>();
  if (plan.ping) {
    progress.start('ping', plan.addresses.length);
    let done = 0;
    await mapBounded(plan.addresses, plan.concurrency, async (address) => {
      if (await deps.pinger(address)) pinged.add(address);
      progress.update(++done, pinged.size);
    });
    progress.finish();
    alive = plan.addresses.filter((a) => pinged.has(a));
  }

  progress.start('snmp', alive.length);
  let done = 0;
  let answered = 0;
  const probed = await mapBounded(alive, plan.concurrency, async (address): Promise<FoundHost> => {
    const snmp = plan.snmp.length > 0 ? await probeSnmp(address, plan.snmp) : undefined;
    if (snmp !== undefined) answered++;
    progress.update(++done, answered);
    return { address, pinged: pinged.has(address), snmp };
  });
  progress.finish();
  return probed.filter((h) => h.pinged || h.snmp !== undefined);
}
