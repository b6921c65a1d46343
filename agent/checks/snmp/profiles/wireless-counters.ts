import type { Profile } from './profile.ts';
import { CellReader, lastSubId } from './table.ts';
import { wirelessPoll, type RadioClients } from './wireless.ts';

/**
 * Connected Wi-Fi clients from the vendor's own counter, for APs and controllers whose MIB has no per-AP
 * radio table this project reads in wireless.ts. The IEEE 802.11 MIB (1.2.840.10036) has no count of
 * associated stations, so it settles the class but cannot give this number.
 *
 * `scalar`: one total for the device (a controller's station count). `column`: one count per row (a radio
 * or wireless interface), summed for the device and stored per row as a `wireless` sample.
 */
export interface ClientCounter {
  /** Profile name (and `mibs` entry): the vendor and the product line. */
  name: string;
  /** The MIB object, cited so the number can be checked against the vendor's MIB file. */
  object: string;
  shape: 'scalar' | 'column';
  /** The scalar's instance (`….0`), or the column without its index. */
  oid: string;
  /** A column's row that every device with the column has (its first radio): probed with the one GET. */
  firstRow?: string;
  /** Band of a row, where the MIB numbers the radios by band. */
  band?: (index: string) => string | undefined;
}

/** In order of preference: a device answering two counters is read from the first. */
export const CLIENT_COUNTERS: readonly ClientCounter[] = [
  { name: 'aerohive_clients', object: 'AH-SYSTEM-MIB ahClientCount (HiveOS / Extreme Networks APs)', shape: 'scalar', oid: '1.3.6.1.4.1.26928.1.2.9.0' },
  { name: 'arubaos_clients', object: 'WLSX-SWITCH-MIB wlsxSwitchTotalNumStationsAssociated (ArubaOS controllers)', shape: 'scalar', oid: '1.3.6.1.4.1.14823.2.2.1.1.3.2.0' },
  { name: 'fortigate_clients', object: 'FORTINET-FORTIGATE-MIB fgWcInfoStationCount (FortiGate wireless controller)', shape: 'scalar', oid: '1.3.6.1.4.1.12356.101.14.2.7.0' },
  { name: 'ruckus_sz_clients', object: 'RUCKUS-SZ-SYSTEM-MIB ruckusSZSystemStatsNumSta (SmartZone controllers)', shape: 'scalar', oid: '1.3.6.1.4.1.25053.1.4.1.1.1.15.2.0' },
  { name: 'ruckus_zd_clients', object: 'RUCKUS-ZD-SYSTEM-MIB ruckusZDSystemStatsNumSta (ZoneDirector controllers)', shape: 'scalar', oid: '1.3.6.1.4.1.25053.1.2.1.1.1.15.2.0' },
  { name: 'zyxel_wlc_clients', object: 'ZYXEL-ES-CAPWAP capwapTotalStation (Zyxel NXC controllers)', shape: 'scalar', oid: '1.3.6.1.4.1.890.1.15.3.3.1.4.0' },
  { name: 'zyxel_nwa_clients', object: 'ZYXEL-ES-SMI esMgmt.5.1.1.2.1 (Zyxel NWA access points)', shape: 'scalar', oid: '1.3.6.1.4.1.890.1.15.3.5.1.1.2.1' },
  { name: 'cambium_pmp_clients', object: 'WHISP-APS-MIB regCount (Cambium PMP access points)', shape: 'scalar', oid: '1.3.6.1.4.1.161.19.3.1.7.1.0' },
  { name: 'cambium_epmp_clients', object: 'CAMBIUM-PMP80211-MIB connected stations (Cambium ePMP access points)', shape: 'scalar', oid: '1.3.6.1.4.1.17713.21.1.2.10.0' },
  { name: 'tachyon_clients', object: 'Tachyon Networks connected clients', shape: 'scalar', oid: '1.3.6.1.4.1.57344.1.2.5.0' },
  { name: 'albentia_clients', object: 'Albentia registered users', shape: 'scalar', oid: '1.3.6.1.4.1.28087.12.10.2.1.0' },
  { name: 'mikrotik_clients', object: 'MIKROTIK-MIB mtxrWlApClientCount (per wireless interface)', shape: 'column', oid: '1.3.6.1.4.1.14988.1.1.1.3.1.6' },
  { name: 'aironet_clients', object: 'CISCO-DOT11-ASSOCIATION-MIB cDot11ActiveWirelessClients (Cisco Aironet, per radio interface)', shape: 'column', oid: '1.3.6.1.4.1.9.9.273.1.1.2.1.1' },
  {
    name: 'ruckus_ap_clients',
    object: 'RUCKUS-RADIO-MIB radio station count (standalone Ruckus APs; radio 1 is 2.4 GHz, 2 is 5 GHz)',
    shape: 'column',
    oid: '1.3.6.1.4.1.25053.1.1.12.1.1.1.3.1.2',
    firstRow: '1',
    band: (index) => ({ '1': '2.4ghz', '2': '5ghz' })[index],
  },
  { name: 'airmax_clients', object: 'UBNT-AirMAX-MIB ubntWlStatStaCount (Ubiquiti airMAX, per wireless interface)', shape: 'column', oid: '1.3.6.1.4.1.41112.1.4.5.1.15', firstRow: '1' },
  { name: 'ligowave_clients', object: 'LigoWave LIGO-WIRELESS-MIB station count (per wireless interface)', shape: 'column', oid: '1.3.6.1.4.1.32750.3.10.1.2.1.1.16' },
  { name: 'wis_clients', object: 'WIS bridge connected clients (per radio)', shape: 'column', oid: '1.3.6.1.4.1.62821.1.4.3.1.15', firstRow: '1' },
];

/**
 * One profile per counter. `earlier` are probes of richer wireless profiles (per-AP radio tables) and of
 * the counters before this one: a device that answers any of them is read there, so no client is counted
 * twice.
 */
export function clientCounterProfiles(richer: readonly string[]): Profile[] {
  // Where the device has it: a scalar or a known first row is asked for with the one GET all profiles
  // share; a column indexed by ifIndex is walked.
  const shows = (c: ClientCounter) => (c.shape === 'scalar' ? c.oid : c.firstRow !== undefined ? `${c.oid}.${c.firstRow}` : undefined);
  return CLIENT_COUNTERS.map((counter, i) => {
    const earlier = CLIENT_COUNTERS.slice(0, i);
    const probe = shows(counter);
    const answers = (c: ClientCounter, answered: (oid: string) => boolean) => answered(shows(c) ?? c.oid);
    return {
      name: counter.name,
      probes: probe === undefined ? [counter.oid] : [],
      probeInstances: probe === undefined ? [] : [probe],
      detect: (_system, answered) => answers(counter, answered) && !richer.some(answered) && !earlier.some((c) => answers(c, answered)),
      async poll(session, ctx) {
        const ap = ctx.system.name || ctx.device.name;
        const time = ctx.now();
        if (counter.shape === 'scalar') {
          const [vb] = await session.get([counter.oid]);
          const cells = new CellReader();
          const clients = cells.number(vb, counter.name);
          const polled = wirelessPoll([{ ap, radio: 'all', clients, error: cells.error() }], ctx.tags, time);
          return polled;
        }
        const [column = []] = await session.walkColumns([counter.oid]);
        const radios: RadioClients[] = column.map((vb) => {
          const cells = new CellReader();
          const index = vb.oid.slice(counter.oid.length + 1);
          return { ap, radio: index, band: counter.band?.(lastSubId(index)), clients: cells.number(vb, counter.name), error: cells.error() };
        });
        return wirelessPoll(radios, ctx.tags, time);
      },
    };
  });
}
