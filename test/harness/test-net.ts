import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onExitCleanup } from './exit-cleanup.ts';
import { logTailOf, startService, type ServiceProcess } from './process.ts';
import { makeTempDir } from './temp.ts';

/**
 * Hosts that answer, inside a network namespace this process creates (RIG.md "Network namespaces"): a
 * veth pair whose host end is 198.18.S.1/24 and whose namespace end holds 198.18.S.2 and the host
 * addresses 198.18.S.10…; nothing else is routed there, so nothing leaves the machine. IPv6 is off on
 * both ends, so the link carries only what a test sends (plus ARP), which the rates truth test needs.
 *
 * With `impairment`, the namespace's kernel stops answering pings and icmp-responder.py answers them
 * instead, after the delay and dropping the share given: netem's job on kernels that lack sch_netem.
 *
 * Slot S (160..223) is locked by creating the host-side veth `hmtS`; a slot whose /24 is already routed
 * or addressed here is skipped.
 */
const FIRST_SLOT = 160;
const SLOTS = 64;
const RESPONDER = fileURLToPath(new URL('./icmp-responder.py', import.meta.url));
const HAS_CHRT = spawnSync('chrt', ['--version']).status === 0;

export interface Impairment {
  delayMs: number;
  lossPct: number;
  seed?: number;
}

export interface TestNetOptions {
  /** How many host addresses to put in the namespace (1..200). */
  hosts: number;
  impairment?: Impairment;
}

export interface TestNet {
  readonly namespace: string;
  /** The host-side interface: traffic to `addresses` leaves through it (its counters are the test's). */
  readonly hostInterface: string;
  /** The host side's own address on the link. */
  readonly hostAddress: string;
  /** Addresses inside the namespace that answer. */
  readonly addresses: readonly string[];
  /** Deletes responder, route, veth pair and namespace; safe to call twice. */
  remove(): Promise<void>;
}

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

const ip = (args: readonly string[]) => run('ip', args);

let counter = 0;

export async function createTestNet(options: TestNetOptions): Promise<TestNet> {
  if (!(options.hosts >= 1 && options.hosts <= 200)) throw new Error(`createTestNet: hosts must be 1..200, got ${options.hosts}`);
  counter += 1;
  const namespace = `hmt-net-${process.pid}-${counter}`;
  await ip(['netns', 'add', namespace]);
  const cleanups: (() => Promise<void> | void)[] = [async () => ip(['netns', 'del', namespace]).then(() => undefined, () => undefined)];
  const cancelNsExit = onExitCleanup(() => {
    spawnSync('ip', ['netns', 'del', namespace]);
  });
  let removed = false;
  const remove = async () => {
    if (removed) return;
    removed = true;
    for (const cleanup of cleanups.reverse()) await cleanup();
    cancelNsExit();
  };
  try {
    const slot = await claimSlot(namespace, cleanups);
    const prefix = `198.18.${slot}`;
    const hostIf = `hmt${slot}`;
    const nsIf = `hmt${slot}n`;
    const addresses = Array.from({ length: options.hosts }, (_, i) => `${prefix}.${10 + i}`);
    await run('sysctl', ['-q', '-w', `net.ipv6.conf.${hostIf}.disable_ipv6=1`]);
    await ip(['addr', 'add', `${prefix}.1/24`, 'dev', hostIf]);
    await ip(['-n', namespace, 'link', 'set', 'lo', 'up']);
    await run('ip', ['netns', 'exec', namespace, 'sysctl', '-q', '-w', `net.ipv6.conf.${nsIf}.disable_ipv6=1`]);
    for (const address of [`${prefix}.2`, ...addresses]) await ip(['-n', namespace, 'addr', 'add', `${address}/24`, 'dev', nsIf]);
    await ip(['-n', namespace, 'link', 'set', nsIf, 'up']);
    await ip(['link', 'set', hostIf, 'up']);
    // Never hand out an address whose packets could leave the machine.
    for (const address of [addresses[0]!, addresses.at(-1)!]) {
      const route = await ip(['route', 'get', address]);
      if (!new RegExp(`\\bdev ${hostIf}\\b`).test(route)) throw new Error(`createTestNet: ${address} is routed "${route.trim()}", not into ${hostIf}`);
    }
    if (options.impairment) cleanups.push(await startResponder(namespace, options.impairment));
    return { namespace, hostInterface: hostIf, hostAddress: `${prefix}.1`, addresses, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** Takes the first free slot: creating the veth is the lock between processes ("File exists" = taken). */
async function claimSlot(namespace: string, cleanups: (() => Promise<void> | void)[]): Promise<number> {
  const start = (process.pid * 13 + counter) % SLOTS;
  for (let i = 0; i < SLOTS; i++) {
    const slot = FIRST_SLOT + ((start + i) % SLOTS);
    // Anything already routing or owning this /24 (other than the default route) makes the slot unusable.
    const routes = (await ip(['-4', '-o', 'route', 'show', 'table', 'all', 'match', `198.18.${slot}.1`])).split('\n').filter((l) => l.trim() !== '' && !l.startsWith('default'));
    const owned = (await ip(['-4', '-o', 'addr', 'show', 'to', `198.18.${slot}.0/24`])).trim();
    if (routes.length > 0 || owned !== '') continue;
    const hostIf = `hmt${slot}`;
    try {
      await ip(['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', `hmt${slot}n`, 'netns', namespace]);
    } catch (error) {
      if (error instanceof Error && /File exists/.test(error.message)) continue;
      throw error;
    }
    const cancel = onExitCleanup(() => {
      spawnSync('ip', ['link', 'del', hostIf]);
    });
    cleanups.push(async () => {
      await ip(['link', 'del', hostIf]).catch(() => undefined);
      cancel();
    });
    return slot;
  }
  throw new Error(`createTestNet: all ${SLOTS} slots of 198.18.${FIRST_SLOT}-${FIRST_SLOT + SLOTS - 1}.0/24 are in use`);
}

/** Starts the impaired responder in the namespace; returns its cleanup. */
async function startResponder(namespace: string, impairment: Impairment): Promise<() => Promise<void>> {
  await run('ip', ['netns', 'exec', namespace, 'sysctl', '-q', '-w', 'net.ipv4.icmp_echo_ignore_all=1']);
  const temp = makeTempDir('icmp-responder');
  let service: ServiceProcess;
  try {
    service = await startService({
      name: 'icmp-responder',
      command: 'ip',
      // Real-time priority (SCHED_FIFO, root only, like the namespace itself): on a machine whose cores
      // are busy with other tests, a normal process wakes up milliseconds late and would add that to
      // every round trip it is meant to delay by exactly `delayMs`.
      args: [
        'netns', 'exec', namespace, ...(HAS_CHRT ? ['chrt', '--fifo', '20'] : []), 'python3', RESPONDER,
        '--delay-ms', String(impairment.delayMs),
        '--loss-pct', String(impairment.lossPct),
        '--seed', String(impairment.seed ?? 1),
      ],
      dir: temp.path,
      ready: async () => logTailOf(`${temp.path}/icmp-responder.log`).includes('ready'),
      readyTimeoutMs: 10_000,
      readyWhat: `icmp-responder in ${namespace}`,
    });
  } catch (error) {
    await temp.remove();
    throw error;
  }
  return async () => {
    await service.stop(1_000);
    await temp.remove();
  };
}
