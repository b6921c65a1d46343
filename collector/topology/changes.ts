import { normaliseId, type Sample } from '../../contract/index.ts';

/** A port whose neighbour is not the one it had, or a neighbour now seen on another port. */
export interface NeighbourChange {
  /** The local port, as the device names it. */
  port: string;
  protocol: string;
  /** The neighbour the port had (or, for a move, the neighbour itself), with its own port. */
  before: { name: string; port?: string | undefined; localPort: string };
  after: { name: string; port?: string | undefined };
  kind: 'replaced' | 'moved';
  /** When the old row was last read: the change happened after this. */
  lastSeenBefore: number;
  /** When the new row was read. */
  seenAfter: number;
}

/** Rows read in one poll are stamped together; rows within this of the newest are "now". */
const SAME_POLL_MS = 1_000;

/**
 * What changed in a device's neighbour tables, from every `neighbour` row the collector remembers of it (each
 * series is one neighbour on one port, the newest read of it). The device's newest poll says who is plugged
 * in now; a row that poll no longer has is the past. A change is a port whose past neighbour is not among its
 * neighbours now while another is, or a neighbour now read on a different port than before (a moved cable).
 *
 * Quiet by construction where nothing changed: the same neighbours read again are the same series; a poll
 * that read no neighbour rows (a timeout, an empty table for a moment) adds nothing, so the newest poll is
 * still the last good one; an agent restart reads the same rows. A neighbour is the same one when its chassis
 * id (IEEE 802.1AB lldpRemChassisId, or CDP's device id) is, whatever its name: a renamed switch is no change.
 */
export function neighbourChanges(rows: readonly Sample[]): NeighbourChange[] {
  const neighbours = rows.filter((r) => r.measurement === 'neighbour' && r.tags.interface !== undefined);
  if (neighbours.length === 0) return [];
  const newest = Math.max(...neighbours.map((r) => r.time));
  const now = neighbours.filter((r) => newest - r.time <= SAME_POLL_MS);
  const past = neighbours.filter((r) => newest - r.time > SAME_POLL_MS).sort((a, b) => b.time - a.time);
  const changes = new Map<string, NeighbourChange>();
  for (const old of past) {
    const same = now.filter((r) => r.tags.protocol === old.tags.protocol && identity(r) === identity(old));
    const port = old.tags.interface!;
    // Still there on the same port (its name or address changed): no change.
    if (same.some((r) => r.tags.interface === port)) continue;
    const moved = same[0];
    if (moved !== undefined) {
      const key = `${old.tags.protocol}/${moved.tags.interface}`;
      if (!changes.has(key)) {
        changes.set(key, {
          port: moved.tags.interface!,
          protocol: old.tags.protocol ?? 'lldp',
          before: { name: nameOf(old), port: text(old.fields.port_id), localPort: port },
          after: { name: nameOf(moved), port: text(moved.fields.port_id) },
          kind: 'moved',
          lastSeenBefore: old.time,
          seenAfter: moved.time,
        });
      }
      continue;
    }
    const instead = now.filter((r) => r.tags.protocol === old.tags.protocol && r.tags.interface === port);
    const key = `${old.tags.protocol}/${port}`;
    // A port that lost its neighbour and has none now (an unplugged AP) is device-down's business, not this.
    if (instead.length === 0 || changes.has(key)) continue;
    changes.set(key, {
      port,
      protocol: old.tags.protocol ?? 'lldp',
      before: { name: nameOf(old), port: text(old.fields.port_id), localPort: port },
      after: { name: instead.map(nameOf).sort().join(', '), port: instead.length === 1 ? text(instead[0]!.fields.port_id) : undefined },
      kind: 'replaced',
      lastSeenBefore: old.time,
      seenAfter: Math.max(...instead.map((r) => r.time)),
    });
  }
  return [...changes.values()].sort((a, b) => a.port.localeCompare(b.port, undefined, { numeric: true }));
}

function identity(row: Sample): string {
  return normaliseId(text(row.fields.chassis_id)) ?? `name:${nameOf(row).toLowerCase()}`;
}

function nameOf(row: Sample): string {
  return text(row.fields.sys_name) ?? row.tags.neighbour ?? text(row.fields.chassis_id) ?? '?';
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
