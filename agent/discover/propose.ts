import { Document, type YAMLMap, type YAMLSeq } from 'yaml';
import { deviceListSchema, deviceNameSchema, type DeviceRole, type SnmpCheckConfig } from '../../contract/index.ts';
import type { DeviceClass } from '../checks/snmp/profiles/classify.ts';
import { ipv4ToNumber } from './cidr.ts';
import { proposeParents } from './parents.ts';
import type { SnmpAnswer } from './probe.ts';

/** One address that answered ping, SNMP or both. */
export interface FoundHost {
  address: string;
  pinged: boolean;
  snmp?: SnmpAnswer | undefined;
}

/** A device entry as sites/<id>.yaml has it (collector/config/schema.ts siteFileSchema `devices:`). */
export interface ProposedDevice {
  name: string;
  address: string;
  role: DeviceRole;
  parent?: string;
  checks: { ping?: Record<string, never>; snmp?: Partial<SnmpCheckConfig> };
}

/** The site file's roles are fewer than the classes: a NAS is watched as a server, a PDU as power like a UPS. */
const ROLE_OF_CLASS: Readonly<Record<DeviceClass, DeviceRole>> = {
  router: 'other',
  switch: 'switch',
  nas: 'server',
  pdu: 'ups',
  environment: 'other',
  wireless: 'access-point',
  firewall: 'firewall',
  server: 'server',
  printer: 'printer',
  ups: 'ups',
  other: 'other',
};

/**
 * A device name from sysName (RFC 3418: by convention the fully-qualified host name): its first label, if
 * that is a valid device name. Placeholders such as "<private>" and empty names are not used.
 */
export function nameFromSysName(sysName: string | undefined): string | undefined {
  const label = sysName?.trim().split('.')[0];
  return label !== undefined && deviceNameSchema.safeParse(label).success ? label : undefined;
}

/**
 * The settings that got an answer, without the polling rhythm (the site's defaults apply) and without a
 * default port, so the site file stays short. Whatever identifies the agent (community, or a v3 user and
 * where its keys are) is kept.
 */
export function snmpSettings(config: SnmpCheckConfig): Partial<SnmpCheckConfig> {
  const { intervalSeconds: _interval, timeoutSeconds: _timeout, retries: _retries, port, ...identity } = config;
  const out: Record<string, unknown> = Object.fromEntries(Object.entries(identity).filter(([, v]) => v !== ''));
  if (port !== 161) out.port = port;
  return out as Partial<SnmpCheckConfig>;
}

/**
 * The proposed device list, in address order: named from sysName, else "<kind or class>-<address>"; a second
 * device with the same name gets "-2", "-3". Role from the class (a Cisco WLC is a wireless controller).
 */
export function proposeDevices(hosts: readonly FoundHost[]): ProposedDevice[] {
  const sorted = [...hosts].sort((a, b) => (ipv4ToNumber(a.address) ?? 0) - (ipv4ToNumber(b.address) ?? 0));
  const used = new Set<string>();
  return sorted.map((host) => {
    const cls = host.snmp?.detection.classification.class ?? 'other';
    // Without a sysName, the fallback name says what the device is: its kind when it is other gear ("camera-10-0-0-7").
    const what = host.snmp?.detection.classification.kind ?? cls;
    const base = nameFromSysName(host.snmp?.system.name) ?? `${what}-${host.address.replaceAll('.', '-')}`;
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base.slice(0, 60)}-${n}`;
    used.add(name);
    const controller = host.snmp?.detection.mibs.has('cisco_wlc') === true;
    const checks: ProposedDevice['checks'] = {};
    if (host.pinged) checks.ping = {};
    if (host.snmp !== undefined) checks.snmp = snmpSettings(host.snmp.config);
    return { name, address: host.address, role: controller ? 'wireless-controller' : ROLE_OF_CLASS[cls], checks };
  });
}

/**
 * What a tech reads above each entry: the evidence that decided the class (so a wrong class can be
 * argued with), then vendor, model, class and sysDescr's first line.
 */
function describeHost(host: FoundHost): string {
  if (host.snmp === undefined) return 'answered ping only';
  const c = host.snmp.detection.classification;
  const descr = oneLine(host.snmp.system.descr ?? '').slice(0, 100);
  const head = [`${c.vendor}${c.model === undefined ? '' : ` ${c.model}`} (${c.class}${c.kind === undefined ? '' : `: ${c.kind}`})`, descr].filter((s) => s !== '').join(': ');
  return `class ${c.class} because: ${oneLine(c.evidence).slice(0, 160)}\n ${head}`;
}

/** Control characters (a newline in sysDescr) would end the YAML comment early. */
function oneLine(text: string): string {
  return (text.split(/\r?\n/)[0] ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
}

/**
 * YAML for the `devices:` key of a site file, each entry commented. It is validated against the
 * inventory's device list schema before it is returned, so what discovery prints can be pasted as is.
 */
export function proposalYaml(hosts: readonly FoundHost[], header: string): string {
  const devices = proposeDevices(hosts);
  const parents = proposeParents(devices, hosts);
  for (const d of devices) {
    const p = parents.get(d.name);
    if (p !== undefined) d.parent = p.parent;
  }
  const check = deviceListSchema.safeParse(devices);
  if (!check.success) throw new Error(`proposed device list does not validate: ${check.error.message}`);
  const doc = new Document({ devices });
  doc.commentBefore = header;
  const byAddress = new Map(hosts.map((h) => [h.address, h]));
  const seq = doc.get('devices', true) as YAMLSeq<YAMLMap>;
  seq.items.forEach((item, i) => {
    const host = byAddress.get(devices[i]!.address);
    const why = parents.get(devices[i]!.name)?.why;
    if (host !== undefined) item.commentBefore = ` ${describeHost(host)}${why !== undefined ? `\n parent: ${why}` : ''}`;
  });
  return doc.toString({ lineWidth: 0 });
}
