import { toTagValue, type Sample } from '../../contract/index.ts';
import type { TrapEvent } from './describe.ts';
import type { Trap } from './normalise.ts';

/** Varbinds kept per stored trap, as JSON text: enough to read an unknown trap, bounded for the wire. */
const MAX_VARBINDS_JSON = 2_000;

/**
 * One `snmp_trap` sample per trap, stamped with the time the agent received it (a trap spooled through a
 * broadband cut keeps that time). Tags: device, event and, for interface traps, interface and if_index.
 */
export function trapSample(device: string, trap: Trap, event: TrapEvent, receivedAt: number): Sample {
  const tags: Record<string, string> = { device, event: event.event };
  if (event.interface !== undefined) tags.interface = toTagValue(event.interface, `ifIndex ${event.ifIndex ?? '?'}`);
  // if_index is a tag wherever the agent sends it (the interface measurement too).
  if (event.ifIndex !== undefined) tags.if_index = String(event.ifIndex);
  const fields: Sample['fields'] = {
    condition: event.condition,
    state: event.state,
    severity: event.severity,
    text: event.text.slice(0, 500),
    trap_oid: trap.oid,
    version: trap.version,
    inform: trap.inform,
    varbinds: varbindsJson(trap),
  };
  return { measurement: 'snmp_trap', tags, fields, time: Math.floor(receivedAt) };
}

function varbindsJson(trap: Trap): string {
  const out: { oid: string; value: string }[] = [];
  let size = 2;
  for (const vb of trap.varbinds) {
    const entry = { oid: vb.oid, value: vb.value };
    const length = JSON.stringify(entry).length + 1;
    if (size + length > MAX_VARBINDS_JSON) break;
    out.push(entry);
    size += length;
  }
  return JSON.stringify(out);
}
