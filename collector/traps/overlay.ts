import type { Sample } from '../../contract/index.ts';

/**
 * A trap says at once what the next poll would say later: laid over the device's polled samples, a trap
 * newer than the poll stands in for it until a newer poll confirms or corrects it. So a linkDown on an
 * uplink, or a UPS going on battery, raises the very alert the polled rule would (same rule, same
 * subject, same clear), only sooner; and a poll that disagrees with a trap wins as soon as it is newer.
 *
 * `traps`: the device's `snmp_trap` samples, the newest of each series (event, interface).
 */
export function overlayTraps(measurement: string, polled: readonly Sample[], traps: readonly Sample[]): Sample[] {
  const overlay = OVERLAYS[measurement];
  if (overlay === undefined || traps.length === 0) return [...polled];
  return overlay(polled, [...traps].sort((a, b) => a.time - b.time));
}

type Overlay = (polled: readonly Sample[], trapsOldestFirst: readonly Sample[]) => Sample[];

const condition = (t: Sample) => t.fields.condition;
const isFault = (t: Sample) => t.fields.state === 'fault';
const isClear = (t: Sample) => t.fields.state === 'clear';

/** The newest fault-or-clear trap of a condition (info traps, such as an admin shut, say nothing). */
function latest(traps: readonly Sample[], of: string, match: (t: Sample) => boolean = () => true): Sample | undefined {
  let found: Sample | undefined;
  for (const t of traps) if (condition(t) === of && (isFault(t) || isClear(t)) && match(t)) found = t;
  return found;
}

const OVERLAYS: Readonly<Record<string, Overlay>> = {
  // RFC 2863: linkDown/linkUp for an interface; ifOperStatus 2 down, 1 up.
  interface(polled, traps) {
    const out = [...polled];
    const named = new Set(traps.filter((t) => condition(t) === 'link-down' && t.tags.interface !== undefined).map((t) => t.tags.interface!));
    for (const name of named) {
      const trap = latest(traps, 'link-down', (t) => t.tags.interface === name);
      if (trap === undefined) continue;
      const i = out.findIndex((s) => s.tags.interface === name);
      const poll = i >= 0 ? out[i] : undefined;
      if (poll !== undefined && poll.time >= trap.time) continue;
      const { event: _event, ...tags } = trap.tags;
      const sample: Sample = {
        measurement: 'interface',
        tags: poll?.tags ?? tags,
        fields: { ...(poll?.fields ?? {}), oper_status: isFault(trap) ? 2 : 1, admin_status: 1, from_trap: 1 },
        time: trap.time,
      };
      if (i >= 0) out[i] = sample;
      else out.push(sample);
    }
    return out;
  },
  // UPS-MIB / PowerNet: on battery and back, battery low and back, on bypass and back.
  ups(polled, traps) {
    if (polled.length === 0) return [];
    const poll = polled[0]!;
    const fields = { ...poll.fields };
    let time = poll.time;
    const apply = (of: string, set: (fault: boolean) => void) => {
      const trap = latest(traps, of);
      if (trap === undefined || trap.time <= poll.time) return;
      set(isFault(trap));
      time = Math.max(time, trap.time);
    };
    // output_source (RFC 1628 upsOutputSource, as the agent words it) decides before on_battery where a UPS has it.
    apply('ups-on-battery', (fault) => {
      fields.on_battery = fault ? 1 : 0;
      if (fields.output_source !== undefined) fields.output_source = fault ? 'battery' : 'normal';
    });
    apply('ups-battery-low', (fault) => (fields.battery_status = fault ? 'low' : 'normal'));
    apply('ups-on-bypass', (fault) => (fields.output_source = fault ? 'bypass' : 'normal'));
    if (time === poll.time) return [...polled];
    return [{ ...poll, fields: { ...fields, from_trap: 1 }, time }, ...polled.slice(1)];
  },
  // Printer-MIB printerV2Alert (RFC 3805 §2.4) → the hrPrinterDetectedErrorState bit the poll reads. RFC 3805
  // sends the trap when an alert is added, seldom when it goes: mostly the next poll clears it.
  printer(polled, traps) {
    return polled.map((poll) => {
      const fields = { ...poll.fields };
      let time = poll.time;
      for (const [of, field] of PRINTER_BITS) {
        const trap = latest(traps, of);
        if (trap === undefined || trap.time <= poll.time) continue;
        fields[field] = isFault(trap) ? 1 : 0;
        time = Math.max(time, trap.time);
      }
      return time === poll.time ? poll : { ...poll, fields: { ...fields, from_trap: 1 }, time };
    });
  },
};

/** The trap's condition (agent/traps/catalogue.ts) and the `printer` field it stands for. */
const PRINTER_BITS: readonly [string, string][] = [
  ['printer-jam', 'jammed'],
  ['printer-door-open', 'door_open'],
  ['printer-paper-out', 'no_paper'],
  ['printer-toner-empty', 'no_toner'],
];
