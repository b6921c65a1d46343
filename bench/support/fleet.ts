import type { FieldValue, Sample } from '../../contract/index.ts';

/**
 * A synthetic fleet of schools, shaped like what the agent sends: per site a few switches and servers
 * polled over SNMP (one `interface` sample per port, the agent's field set) and every device pinged.
 * Values come from a seeded generator, so every run stores the same points.
 */
export interface FleetShape {
  sites: number;
  /** SNMP devices per site, each with `interfacesPerDevice` ports. */
  snmpDevices: number;
  interfacesPerDevice: number;
  /** Devices that are only pinged (access points, printers); SNMP devices are pinged too. */
  pingOnlyDevices: number;
  /** Polls per site; one poll is one sample per interface plus one ping per device. */
  polls: number;
  pollIntervalMs: number;
  /** Time of the first poll, ms since the epoch. */
  start: number;
}

export interface FleetSite {
  site: string;
  agent: string;
  /** In measuring order; (measurement, tags, time) is unique across the fleet. */
  samples: Sample[];
}

const SNMP_ROLES = ['core-switch', 'switch', 'switch', 'switch', 'firewall', 'server'] as const;
const PING_ROLES = ['access-point', 'printer', 'access-point', 'other'] as const;

export function samplesPerPoll(shape: FleetShape): number {
  return shape.snmpDevices * (shape.interfacesPerDevice + 1) + shape.pingOnlyDevices;
}

export function fleetPoints(shape: FleetShape): number {
  return shape.sites * shape.polls * samplesPerPoll(shape);
}

/** mulberry32: small, fast, and the same sequence on every machine. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;

/** The 13 fields the agent's interface check sends once it has two polls (see interface-samples.ts). */
function interfaceFields(random: () => number, poll: number, port: number): Record<string, FieldValue> {
  const speed = port === 0 ? 10_000_000_000 : 1_000_000_000;
  const inBps = round(random() * speed * 0.3, 3);
  const outBps = round(random() * speed * 0.1, 3);
  return {
    oper_status: random() < 0.9 ? 1 : 2,
    admin_status: 1,
    speed_bps: speed,
    in_octets: Math.floor(1e9 * (port + 1) + poll * (inBps / 8) * 60),
    out_octets: Math.floor(4e8 * (port + 1) + poll * (outBps / 8) * 60),
    counter_bits: 64,
    in_bps: inBps,
    out_bps: outBps,
    in_errors_ps: round(random() < 0.95 ? 0 : random() * 2, 4),
    out_errors_ps: 0,
    in_discards_ps: round(random() < 0.9 ? 0 : random() * 5, 4),
    out_discards_ps: round(random() < 0.9 ? 0 : random() * 5, 4),
    utilisation_pct: round((Math.max(inBps, outBps) / speed) * 100, 6),
  };
}

function pingFields(random: () => number): Record<string, FieldValue> {
  const avg = round(0.2 + random() * 20, 3);
  return {
    up: 1,
    loss_pct: 0,
    sent: 3,
    received: 3,
    rtt_min_ms: round(avg * 0.8, 3),
    rtt_avg_ms: avg,
    rtt_max_ms: round(avg * 1.3, 3),
    jitter_ms: round(avg * 0.1, 3),
  };
}

export function buildFleet(shape: FleetShape, seed = 1): FleetSite[] {
  const random = seeded(seed);
  const sites: FleetSite[] = [];
  for (let s = 0; s < shape.sites; s++) {
    const site = `bench-school-${String(s + 1).padStart(3, '0')}`;
    const samples: Sample[] = [];
    for (let poll = 0; poll < shape.polls; poll++) {
      const at = shape.start + poll * shape.pollIntervalMs;
      for (let d = 0; d < shape.snmpDevices; d++) {
        const tags = { device: `sw-${d + 1}`, role: SNMP_ROLES[d % SNMP_ROLES.length]! };
        // Devices are polled a few ms apart, as the agent's scheduler spreads them.
        const time = at + d * 37;
        for (let p = 0; p < shape.interfacesPerDevice; p++) {
          samples.push({
            measurement: 'interface',
            tags: { ...tags, interface: `Gi1/0/${p + 1}`, if_index: String(10_101 + p) },
            fields: interfaceFields(random, poll, p),
            time,
          });
        }
        samples.push({ measurement: 'ping', tags, fields: pingFields(random), time: time + 5 });
      }
      for (let d = 0; d < shape.pingOnlyDevices; d++) {
        const tags = { device: `host-${d + 1}`, role: PING_ROLES[d % PING_ROLES.length]! };
        samples.push({ measurement: 'ping', tags, fields: pingFields(random), time: at + 500 + d * 11 });
      }
    }
    sites.push({ site, agent: `${site}-1`, samples });
  }
  return sites;
}

/** Consecutive slices of at most `size`, as the agent's batcher cuts its stream. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
