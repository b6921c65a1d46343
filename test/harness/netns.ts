import { execFile, spawnSync } from 'node:child_process';
import { onExitCleanup } from './exit-cleanup.ts';
import { pidAlive } from './process.ts';

/**
 * Addresses that never answer, for "device down" tests without sending anything off this machine
 * (RIG.md): a /24 of the benchmarking range 198.18.0.0/15 (RFC 2544) is routed over a veth pair into a
 * namespace that owns none of it and does not forward, so every packet to it is dropped there.
 *
 * Slot s (0..63) uses the link 198.19.255.4s/30 and the dead range 198.19.s.0/24. The host-side veth
 * name carries the slot, and creating a link whose name exists fails, so that is the lock between test
 * processes. Namespace names carry our PID so leftovers of a killed process can be recognised.
 */
const SLOTS = 64;
const NS_PREFIX = 'hm-dead-';

export interface DeadHost {
  /** An address in the dead range; ping and SNMP to it time out. */
  readonly address: string;
  /** The whole dead range, e.g. "198.19.7.0/24"; every address in it is dead. */
  readonly range: string;
  readonly namespace: string;
  /** Deletes route, veth pair and namespace; safe to call twice. */
  remove(): Promise<void>;
}

function ip(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

const ipQuiet = (args: readonly string[]): Promise<void> => ip(args).then(
  () => undefined,
  () => undefined,
);

function toInt(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

interface Cidr {
  base: number;
  bits: number;
}

function parseCidr(text: string): Cidr | undefined {
  const match = /^(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?$/.exec(text);
  if (!match?.[1]) return undefined;
  return { base: toInt(match[1]), bits: match[2] === undefined ? 32 : Number(match[2]) };
}

function overlaps(a: Cidr, b: Cidr): boolean {
  const bits = Math.min(a.bits, b.bits);
  if (bits === 0) return true;
  const shift = 32 - bits;
  return Math.floor(a.base / 2 ** shift) === Math.floor(b.base / 2 ** shift);
}

/** Prefixes this host already routes or owns (the default route aside), so we never shadow one. */
async function prefixesInUse(): Promise<Cidr[]> {
  const routes = await ip(['-4', 'route', 'show', 'table', 'all']);
  const addresses = await ip(['-4', '-o', 'addr', 'show']);
  const found: Cidr[] = [];
  for (const line of routes.split('\n')) {
    const words = line.trim().split(/\s+/);
    const target = ['local', 'broadcast', 'unicast', 'blackhole', 'unreachable', 'prohibit'].includes(words[0] ?? '')
      ? words[1]
      : words[0];
    const cidr = target ? parseCidr(target) : undefined;
    if (cidr && cidr.bits > 0) found.push(cidr);
  }
  for (const match of addresses.matchAll(/\binet (\d+\.\d+\.\d+\.\d+\/\d+)/g)) {
    const cidr = match[1] ? parseCidr(match[1]) : undefined;
    if (cidr) found.push(cidr);
  }
  return found;
}

let reclaimed = false;

/** Deletes namespaces left by test processes that died before cleaning up (SIGKILL skips every hook). */
async function reclaimLeftovers(): Promise<void> {
  if (reclaimed) return;
  reclaimed = true;
  const list = await ip(['netns', 'list']);
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const match = new RegExp(`^${NS_PREFIX}(\\d+)-\\d+$`).exec(name);
    const owner = Number(match?.[1]);
    if (match && owner !== process.pid && !pidAlive(owner)) await ipQuiet(['netns', 'del', name]);
  }
}

let counter = 0;

export async function createDeadHost(): Promise<DeadHost> {
  await reclaimLeftovers();
  counter += 1;
  const namespace = `${NS_PREFIX}${process.pid}-${counter}`;
  await ip(['netns', 'add', namespace]);
  const cancelExit = onExitCleanup(() => {
    spawnSync('ip', ['netns', 'del', namespace]);
  });
  try {
    const inUse = await prefixesInUse();
    const start = (process.pid * 7 + counter) % SLOTS;
    for (let i = 0; i < SLOTS; i++) {
      const slot = (start + i) % SLOTS;
      const link = `198.19.255.${slot * 4}/30`;
      const range = `198.19.${slot}.0/24`;
      if (inUse.some((used) => overlaps(used, parseCidr(link)!) || overlaps(used, parseCidr(range)!))) continue;
      const hostIf = `hmd${slot}h`;
      const nsIf = `hmd${slot}n`;
      try {
        await ip(['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf, 'netns', namespace]);
      } catch (error) {
        // "File exists": another test process took this slot since we listed; anything else is fatal.
        if (error instanceof Error && /File exists/.test(error.message)) continue;
        throw error;
      }
      return await configure(namespace, slot, hostIf, nsIf, link, range, cancelExit);
    }
    throw new Error(`createDeadHost: all ${SLOTS} slots of 198.19.0.0/16 are in use`);
  } catch (error) {
    cancelExit();
    await ipQuiet(['netns', 'del', namespace]);
    throw error;
  }
}

async function configure(
  namespace: string,
  slot: number,
  hostIf: string,
  nsIf: string,
  link: string,
  range: string,
  cancelNamespaceCleanup: () => void,
): Promise<DeadHost> {
  const hostSide = `198.19.255.${slot * 4 + 1}`;
  const nsSide = `198.19.255.${slot * 4 + 2}`;
  const address = `198.19.${slot}.1`;
  const cancelLinkCleanup = onExitCleanup(() => {
    spawnSync('ip', ['link', 'del', hostIf]);
  });
  let removed = false;
  const remove = async (): Promise<void> => {
    if (removed) return;
    removed = true;
    await ipQuiet(['route', 'del', range]);
    await ipQuiet(['link', 'del', hostIf]);
    await ipQuiet(['netns', 'del', namespace]);
    cancelLinkCleanup();
    cancelNamespaceCleanup();
  };
  try {
    const prefix = link.split('/')[1];
    await ip(['addr', 'add', `${hostSide}/${prefix}`, 'dev', hostIf]);
    await ip(['link', 'set', hostIf, 'up']);
    await ip(['-n', namespace, 'addr', 'add', `${nsSide}/${prefix}`, 'dev', nsIf]);
    await ip(['-n', namespace, 'link', 'set', nsIf, 'up']);
    await ip(['route', 'add', range, 'via', nsSide, 'dev', hostIf]);
    // Never hand out an address whose packets could leave the machine.
    const route = await ip(['route', 'get', address]);
    if (!new RegExp(`\\bdev ${hostIf}\\b`).test(route)) {
      throw new Error(`createDeadHost: ${address} is routed "${route.trim()}", not into ${hostIf}`);
    }
  } catch (error) {
    await remove();
    throw error;
  }
  return { address, range, namespace, remove };
}
