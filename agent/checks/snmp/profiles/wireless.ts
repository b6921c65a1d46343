import { toTagValue, type FieldValue, type Sample } from '../../../../contract/index.ts';
import type { Profile, ProfilePoll } from './profile.ts';
import { CellReader, macFromIndex, readScalars, readTable, type TableRow } from './table.ts';

/**
 * `wireless` per AP radio: tags `ap` (the AP's name, or the device's own for a standalone AP), `radio`
 * (the device's own radio name or index) and `band` ("2.4ghz", "5ghz", "6ghz") where known; field
 * `clients`. The device's `snmp` sample gets `wireless_clients`, the total.
 */
export interface RadioClients {
  ap: string;
  radio: string;
  band?: string | undefined;
  clients?: number | undefined;
  error?: string | undefined;
}

export function wirelessPoll(radios: readonly RadioClients[], tags: Readonly<Record<string, string>>, time: number): ProfilePoll {
  const samples: Sample[] = [];
  let total: number | undefined;
  for (const r of radios) {
    const fields: Record<string, FieldValue> = {};
    if (r.clients !== undefined && r.clients >= 0) {
      fields.clients = r.clients;
      total = (total ?? 0) + r.clients;
    }
    if (r.error !== undefined) fields.error = r.error;
    if (Object.keys(fields).length === 0) continue;
    const rowTags: Record<string, string> = { ...tags, ap: toTagValue(r.ap, 'ap'), radio: toTagValue(r.radio, 'radio') };
    if (r.band !== undefined) rowTags.band = r.band;
    samples.push({ measurement: 'wireless', tags: rowTags, fields, time });
  }
  return total === undefined ? { samples } : { samples, summary: { wireless_clients: total } };
}

/** Band from an 802.11 channel number (2.4 GHz channels are 1-14). */
export function bandOfChannel(channel: number | undefined): string | undefined {
  if (channel === undefined || !Number.isFinite(channel) || channel <= 0) return undefined;
  return channel <= 14 ? '2.4ghz' : '5ghz';
}

// UBNT-UniFi-MIB unifiVapTable: one row per SSID per radio; unifiVapRadio is "ng" (2.4 GHz) or "na" (5 GHz).
const UNIFI_VAP = '1.3.6.1.4.1.41112.1.6.1.2.1';
const UNIFI_RADIO_BANDS: Readonly<Record<string, string>> = { ng: '2.4ghz', na: '5ghz', '6e': '6ghz' };

export function unifiRadios(rows: readonly TableRow<'stations' | 'radio'>[], apName: string): RadioClients[] {
  const byRadio = new Map<string, RadioClients>();
  for (const row of rows) {
    const cells = new CellReader();
    const radio = cells.text(row.radio, 'unifiVapRadio') ?? `vap${row.index}`;
    const stations = cells.number(row.stations, 'unifiVapNumStations');
    const entry = byRadio.get(radio) ?? { ap: apName, radio, band: UNIFI_RADIO_BANDS[radio] };
    if (stations !== undefined) entry.clients = (entry.clients ?? 0) + stations;
    const error = cells.error();
    if (error !== undefined) entry.error = error;
    byRadio.set(radio, entry);
  }
  return [...byRadio.values()];
}

export const unifiProfile: Profile = {
  name: 'unifi',
  probes: [`${UNIFI_VAP}.8`],
  detect: (_system, answered) => answered(`${UNIFI_VAP}.8`),
  async poll(session, ctx) {
    const rows = await readTable(session, { stations: `${UNIFI_VAP}.8`, radio: `${UNIFI_VAP}.9` });
    return wirelessPoll(unifiRadios(rows, ctx.system.name || ctx.device.name), ctx.tags, ctx.now());
  },
};

// AI-AP-MIB (Aruba Instant): aiAccessPointTable by AP MAC, aiRadioTable by AP MAC + aiRadioIndex.
const AI_AP_NAME = '1.3.6.1.4.1.14823.2.3.3.1.2.1.1.2';
const AI_RADIO = '1.3.6.1.4.1.14823.2.3.3.1.2.2.1';

export function arubaInstantRadios(
  aps: readonly TableRow<'name'>[],
  radios: readonly TableRow<'channel' | 'clients'>[],
): RadioClients[] {
  const names = new Map(aps.map((a) => [a.index, new CellReader().text(a.name, 'aiAPName')]));
  return radios.map((row) => {
    const parts = row.index.split('.');
    const mac = parts.slice(0, 6).join('.');
    const cells = new CellReader();
    const clients = cells.number(row.clients, 'aiRadioClientNum');
    // aiRadioChannel is text such as "116E" or "53S" (channel plus a bonding suffix).
    const channel = cells.text(row.channel, 'aiRadioChannel');
    const name = names.get(mac);
    return {
      ap: name !== undefined && name.trim() !== '' ? name : (macFromIndex(parts.slice(0, 6)) ?? mac),
      radio: parts.slice(6).join('.') || '0',
      band: bandOfChannel(channel === undefined ? undefined : Number.parseInt(channel, 10)),
      clients,
      error: cells.error(),
    };
  });
}

// aiClientTable, one row per associated client (aiClientMACAddress): the count where the radio table is absent.
const AI_CLIENT_MAC = '1.3.6.1.4.1.14823.2.3.3.1.2.4.1.1';

export const arubaInstantProfile: Profile = {
  name: 'aruba_instant',
  // Every Instant cluster lists its APs; not every firmware has aiRadioClientNum.
  probes: [AI_AP_NAME],
  detect: (_system, answered) => answered(AI_AP_NAME),
  async poll(session, ctx) {
    const aps = await readTable(session, { name: AI_AP_NAME });
    const radios = await readTable(session, { channel: `${AI_RADIO}.4`, clients: `${AI_RADIO}.21` });
    if (radios.some((r) => r.clients !== undefined)) return wirelessPoll(arubaInstantRadios(aps, radios), ctx.tags, ctx.now());
    // Some Instant firmware has no aiRadioClientNum (its radio table ends at column 20): every client
    // is then a row of aiClientTable.
    const [clients = []] = await session.walkColumns([AI_CLIENT_MAC]);
    return wirelessPoll([{ ap: ctx.system.name || ctx.device.name, radio: 'all', clients: clients.length }], ctx.tags, ctx.now());
  },
};

// AIRESPACE-WIRELESS-MIB (Cisco WLC, Cisco Business Wireless): bsnAPTable by AP MAC, bsnAPIfTable by MAC + slot.
const BSN_AP_NAME = '1.3.6.1.4.1.14179.2.2.1.1.3';
const BSN_AP_IF = '1.3.6.1.4.1.14179.2.2.2.1';
/** bsnAPIfType: 1 dot11b (2.4 GHz), 2 dot11a (5 GHz), 6 dot11-6ghz. */
const BSN_BANDS: Readonly<Record<number, string>> = { 1: '2.4ghz', 2: '5ghz', 6: '6ghz' };

export function ciscoWlcRadios(aps: readonly TableRow<'name'>[], radios: readonly TableRow<'type' | 'clients'>[]): RadioClients[] {
  const names = new Map(aps.map((a) => [a.index, new CellReader().text(a.name, 'bsnAPName')]));
  return radios.map((row) => {
    const parts = row.index.split('.');
    const mac = parts.slice(0, 6).join('.');
    const cells = new CellReader();
    const type = cells.number(row.type, 'bsnAPIfType');
    const name = names.get(mac);
    return {
      ap: name !== undefined && name.trim() !== '' ? name : (macFromIndex(parts.slice(0, 6)) ?? mac),
      radio: parts.slice(6).join('.') || '0',
      band: type === undefined ? undefined : BSN_BANDS[type],
      clients: cells.number(row.clients, 'bsnApIfNoOfUsers'),
      error: cells.error(),
    };
  });
}

export const ciscoWlcProfile: Profile = {
  name: 'cisco_wlc',
  probes: [`${BSN_AP_IF}.15`],
  detect: (_system, answered) => answered(`${BSN_AP_IF}.15`),
  async poll(session, ctx) {
    const aps = await readTable(session, { name: BSN_AP_NAME });
    const radios = await readTable(session, { type: `${BSN_AP_IF}.2`, clients: `${BSN_AP_IF}.15` });
    return wirelessPoll(ciscoWlcRadios(aps, radios), ctx.tags, ctx.now());
  },
};

// RUCKUS-UNLEASHED-SYSTEM-MIB: only totals (ruckusUnleashedSystemStatsNumAP/NumSta); no per-radio counts.
const RUCKUS_STATS = '1.3.6.1.4.1.25053.1.15.1.1.1.15';

export const ruckusUnleashedProfile: Profile = {
  name: 'ruckus_unleashed',
  probes: [RUCKUS_STATS],
  detect: (_system, answered) => answered(RUCKUS_STATS),
  async poll(session) {
    const s = await readScalars(session, { aps: `${RUCKUS_STATS}.1.0`, clients: `${RUCKUS_STATS}.2.0` });
    const cells = new CellReader();
    const summary: Record<string, FieldValue> = {};
    const clients = cells.number(s.clients, 'ruckusUnleashedSystemStatsNumSta');
    const aps = cells.number(s.aps, 'ruckusUnleashedSystemStatsNumAP');
    if (clients !== undefined) summary.wireless_clients = clients;
    if (aps !== undefined) summary.wireless_aps = aps;
    const error = cells.error();
    if (error !== undefined) summary.error = `ruckus_unleashed: ${error}`;
    return { samples: [], summary };
  },
};
