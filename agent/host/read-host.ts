import { loadavg, uptime } from 'node:os';
import type { Systeminformation } from 'systeminformation';
import type { HostReading, NetCounters } from './host-samples.ts';

/**
 * Reads the agent's host with systeminformation, choosing the calls that are cheap when repeated
 * (`npm run bench agent-host`; CPU per call on a 2-core Xeon VM, this process + the processes it spawns):
 *   currentLoad 6 ms, mem 0.6 ms, fsSize 10 ms (runs df), networkStats(<names>) ~14 ms per interface
 *   (a cat per interface); avoided: networkStats('*') 32 ms (lists every interface again each time),
 *   networkInterfaces 73 ms (nmcli, ethtool ...: here only hourly, for the names), cpuTemperature 15 ms
 *   (a blocking execSync, then `sensors` when that finds nothing: asked once, and again only if it read).
 * A whole reading costs ~25 ms of CPU, 0.44× the naive set of calls: 0.04 % of one core at 60 s.
 * Uptime and load come from node:os, which costs nothing.
 */
export interface HostReader {
  read(): Promise<HostReading>;
}

export interface HostReaderOptions {
  now: () => number;
  /** How long one part (e.g. df on a hung NFS mount) may take before the reading goes on without it. */
  partTimeoutMs?: number;
}

const INTERFACE_LIST_MAX_AGE_MS = 3_600_000;
const PART_TIMEOUT_MS = 10_000;

/**
 * systeminformation is loaded on the first reading, not with the agent: an agent with `host.enabled: false`
 * (or one that only runs `check-config` or `discover`) never pays its ~10 MB of resident memory.
 */
type SystemInformation = typeof import('systeminformation');
let systemInformation: Promise<SystemInformation> | undefined;
const loadSystemInformation = () => (systemInformation ??= import('systeminformation').then((m) => m.default ?? m));

export function createHostReader(options: HostReaderOptions): HostReader {
  const partTimeoutMs = options.partTimeoutMs ?? PART_TIMEOUT_MS;
  let interfaceNames: { names: string[]; at: number } | undefined;
  let temperature: 'unknown' | 'available' | 'absent' = 'unknown';
  // A part still running from an earlier reading is not started again, so a hung df cannot pile up.
  const pending = new Map<string, Promise<unknown>>();

  const part = async <T>(name: string, call: () => Promise<T>, problems: string[]): Promise<T | undefined> => {
    let running = pending.get(name) as Promise<T> | undefined;
    if (running === undefined) {
      running = call();
      pending.set(name, running);
      void running.catch(() => undefined).finally(() => pending.delete(name));
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), partTimeoutMs);
    });
    try {
      const result = await Promise.race([running, late]);
      if (result === 'late') {
        problems.push(`${name}: no answer within ${partTimeoutMs / 1000} s`);
        return undefined;
      }
      return result;
    } catch (error) {
      problems.push(`${name}: ${error instanceof Error ? error.message.slice(0, 200) : String(error)}`);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  };

  const names = async (si: SystemInformation, problems: string[]): Promise<string[]> => {
    const now = options.now();
    if (interfaceNames === undefined || now - interfaceNames.at > INTERFACE_LIST_MAX_AGE_MS) {
      const list = await part('interfaces', () => si.networkInterfaces(), problems);
      // Loopback traffic says nothing about the school's network.
      if (list !== undefined) interfaceNames = { names: list.filter((i) => !i.internal).map((i) => i.iface), at: now };
    }
    return interfaceNames?.names ?? [];
  };

  return {
    async read() {
      const problems: string[] = [];
      const si = await loadSystemInformation();
      // Stamped when the reading starts, not when its slowest call returns: readings stay one interval apart.
      const at = options.now();
      const [load, mem, disks, nets, temp] = await Promise.all([
        part('cpu', () => si.currentLoad(), problems),
        part('memory', () => si.mem(), problems),
        part('disks', () => si.fsSize(), problems),
        names(si, problems).then((list) => (list.length === 0 ? [] : part('network', () => si.networkStats(list.join(',')), problems))),
        temperature === 'absent' ? undefined : part('temperature', () => si.cpuTemperature(), problems),
      ]);
      const reading: HostReading = { at, uptimeS: uptime(), problems };
      // Windows has no load average; node reports 0 there, which would read as "idle".
      if (process.platform !== 'win32') reading.load1 = loadavg()[0];
      if (load !== undefined) reading.cpuPct = load.currentLoad;
      if (mem !== undefined) {
        reading.memory = { totalBytes: mem.total, availableBytes: mem.available, swapTotalBytes: mem.swaptotal, swapUsedBytes: mem.swapused };
      }
      if (disks !== undefined) {
        reading.disks = disks.map((d) => ({ mount: d.mount, fs: d.fs, type: d.type, sizeBytes: d.size, usedBytes: d.used, availableBytes: d.available }));
      }
      if (nets !== undefined) reading.interfaces = nets.map(netCounters);
      if (temp !== undefined) {
        const celsius = [temp.max, temp.main].find((t): t is number => typeof t === 'number' && Number.isFinite(t) && t > -50);
        if (celsius !== undefined) reading.temperatureC = celsius;
        // Most VMs and many mini PCs have no sensor: stop spawning processes to find none each time.
        if (temperature === 'unknown') temperature = celsius === undefined ? 'absent' : 'available';
      }
      return reading;
    },
  };
}

function netCounters(n: Systeminformation.NetworkStatsData): NetCounters {
  return {
    name: n.iface,
    rxBytes: n.rx_bytes,
    txBytes: n.tx_bytes,
    rxErrors: n.rx_errors,
    txErrors: n.tx_errors,
    rxDropped: n.rx_dropped,
    txDropped: n.tx_dropped,
  };
}
