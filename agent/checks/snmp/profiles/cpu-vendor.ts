import type { FieldValue, Sample } from '../../../../contract/index.ts';
import type { SnmpSession, Varbind } from '../session.ts';
import { hostResourcesProfile } from './host-resources.ts';
import type { SystemInfo } from '../system.ts';
import type { Profile, ProbeAnswers } from './profile.ts';
import { CellReader, readScalars, readTable, type TableRow } from './table.ts';

/**
 * Processor load from the vendor's own object, where the device has one. It feeds the same field as
 * HOST-RESOURCES, `host.cpu_load_pct`, because that is what the `cpu-high` rule reads (collector/alerts/
 * rules/host.ts): one rule, whatever MIB the number came from; `host.cpu_source` says which. The vendor's
 * number wins over hrProcessorLoad: Cisco IOS has no HOST-RESOURCES at all and IOS-XE/NX-OS fill
 * hrProcessorLoad for the Linux host under the switch rather than the control plane; FortiOS gives a
 * row per core, while fgSysCpuUsage is the figure its own GUI shows. Per-processor `host_cpu` rows stay
 * HOST-RESOURCES' where it has them.
 */

/** CISCO-PROCESS-MIB cpmCPUTotal5minRev: % busy over 5 minutes, a row per CPU (stack member, card). */
const CISCO_CPU_5MIN = '1.3.6.1.4.1.9.9.109.1.1.1.1.8';
/** FORTINET-FORTIGATE-MIB fgSysCpuUsage: % of the whole system. */
const FORTINET_CPU = '1.3.6.1.4.1.12356.101.4.1.3.0';
const HR_PROBES = hostResourcesProfile.probes;

/**
 * Cisco's enterprise subtree (ciscoProducts and the rest): CISCO-PROCESS-MIB is told by the sysObjectID
 * rather than by a walked probe, because the table's row index varies (1, 19, 22, ...) so no one instance
 * can be fetched, and one more walk per device would eat into the probing share of a first poll. A Cisco
 * device without the table (Small Business) polls one empty walk and gives nothing.
 */
const isCisco = (system: SystemInfo) => system.objectId?.startsWith('1.3.6.1.4.1.9.') === true;
const hasVendorCpu = (system: SystemInfo, answered: ProbeAnswers) => isCisco(system) || answered(FORTINET_CPU);
const hasHostResources = (answered: ProbeAnswers) => HR_PROBES.some((oid) => answered(oid));

export interface VendorCpu {
  /** Mean of the vendor's processors, as hrProcessorLoad's processors are averaged. */
  pct?: number;
  source: string;
  /** Per processor (Cisco), by row index. */
  processors: { index: string; pct: number }[];
  error?: string;
}

const inRange = (v: number | undefined): v is number => v !== undefined && v >= 0 && v <= 100;

/** The vendor figures from what the device answered; values outside 0..100 are an error, not a reading. */
export function vendorCpu(cisco: readonly TableRow<'load'>[], fortinet: Varbind | undefined): VendorCpu | undefined {
  const cells = new CellReader();
  const bad: string[] = [];
  if (cisco.length > 0) {
    const processors = cisco.flatMap((row) => {
      const v = cells.number(row.load, 'cpmCPUTotal5minRev');
      if (v !== undefined && !inRange(v)) bad.push(`cpmCPUTotal5minRev out of range: ${v}`);
      return inRange(v) ? [{ index: row.index, pct: v }] : [];
    });
    return finish({ source: 'cisco_process_mib', processors, ...mean(processors.map((p) => p.pct)) }, cells, bad);
  }
  if (fortinet !== undefined) {
    const v = cells.number(fortinet, 'fgSysCpuUsage');
    if (v !== undefined && !inRange(v)) bad.push(`fgSysCpuUsage out of range: ${v}`);
    return finish({ source: 'fortinet_mib', processors: [], ...(inRange(v) ? { pct: v } : {}) }, cells, bad);
  }
  return undefined;
}

function mean(values: readonly number[]): { pct?: number } {
  return values.length === 0 ? {} : { pct: values.reduce((a, b) => a + b, 0) / values.length };
}

function finish(cpu: VendorCpu, cells: CellReader, bad: string[]): VendorCpu {
  const error = [cells.error(), ...bad].filter((e): e is string => e !== undefined).join('; ');
  return error === '' ? cpu : { ...cpu, error };
}

/** HOST-RESOURCES' samples with the `host` sample's processor load taken from the vendor; a `host` sample made if there was none. */
export function withVendorCpu(samples: readonly Sample[], cpu: VendorCpu, tags: Readonly<Record<string, string>>, time: number): Sample[] {
  const out = samples.filter((s) => s.measurement !== 'host');
  const host: Record<string, FieldValue> = { ...samples.find((s) => s.measurement === 'host')?.fields };
  delete host.cpu_load_pct;
  if (cpu.pct !== undefined) host.cpu_load_pct = cpu.pct;
  host.cpu_source = cpu.source;
  if (cpu.error !== undefined) host.error = cpu.error;
  if (!samples.some((s) => s.measurement === 'host_cpu')) {
    for (const p of cpu.processors) out.push({ measurement: 'host_cpu', tags: { ...tags, cpu: p.index }, fields: { load_pct: p.pct }, time });
  }
  return [{ measurement: 'host', tags: { ...tags }, fields: host, time }, ...out];
}

async function readVendorCpu(session: SnmpSession, system: SystemInfo): Promise<VendorCpu | undefined> {
  const cisco = isCisco(system) ? await readTable(session, { load: CISCO_CPU_5MIN }) : [];
  const { fortinet } = cisco.length > 0 ? {} : await readScalars(session, { fortinet: FORTINET_CPU });
  return vendorCpu(cisco, fortinet);
}

/**
 * HOST-RESOURCES plus the vendor's load, for a device with both; its name stays "host_resources" so the
 * classification sees the same MIBs as before. The plain host-resources profile stands aside for it.
 */
const hostResourcesWithVendorCpu: Profile = {
  ...hostResourcesProfile,
  probeInstances: [FORTINET_CPU],
  detect: (system, answered) => hasHostResources(answered) && hasVendorCpu(system, answered),
  async poll(session, ctx) {
    const plain = await hostResourcesProfile.poll(session, ctx);
    const cpu = await readVendorCpu(session, ctx.system);
    return cpu === undefined ? plain : { ...plain, samples: withVendorCpu(plain.samples, cpu, ctx.tags, ctx.now()) };
  },
};

/** The vendor's load alone, for a device without HOST-RESOURCES (Cisco IOS). */
const vendorCpuOnly: Profile = {
  name: 'vendor_cpu',
  probes: [],
  probeInstances: [FORTINET_CPU],
  detect: (system, answered) => hasVendorCpu(system, answered) && !hasHostResources(answered),
  async poll(session, ctx) {
    const cpu = await readVendorCpu(session, ctx.system);
    return { samples: cpu === undefined ? [] : withVendorCpu([], cpu, ctx.tags, ctx.now()) };
  },
};

/** In place of hostResourcesProfile in the profile list: exactly one of the three detects on any device. */
export const HOST_PROFILES: readonly Profile[] = [
  { ...hostResourcesProfile, detect: (system, answered) => hostResourcesProfile.detect(system, answered) && !hasVendorCpu(system, answered) },
  hostResourcesWithVendorCpu,
  vendorCpuOnly,
];
