import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSnmpCheck } from '../../agent/checks/snmp/snmp-check.ts';
import { alertsConfigSchema } from '../../collector/alerts/config.ts';
import { createAlertEngine } from '../../collector/alerts/engine.ts';
import { AlertStore } from '../../collector/alerts/store.ts';
import { siteFileSchema, type SiteFile } from '../../collector/config/schema.ts';
import { createIngest } from '../../collector/ingest/index.ts';
import {
  agentStatusSchema,
  createLogger,
  deviceSchema,
  encodeMessage,
  MAX_SAMPLES_PER_BATCH,
  samplesTopic,
  snmpCheckSchema,
  WIRE_VERSION,
  type DeviceRole,
  type Sample,
} from '../../contract/index.ts';
import { RECORDINGS_DIR } from '../harness/index.ts';
import { sharedPath } from '../harness/shared.ts';

export const CORPUS_DIR = sharedPath('corpus');

/** One device of the fleet: a recording, and the role a provider would give such a device. */
export interface FleetDevice {
  /** The recording's name (the snmpsim community). */
  recording: string;
  file: string;
  role: DeviceRole;
}

/** LibreNMS's device type (index.tsv) as the role a school's provider would give it. */
const ROLE_OF_TYPE: Readonly<Record<string, DeviceRole>> = {
  network: 'switch',
  wireless: 'access-point',
  firewall: 'firewall',
  server: 'server',
  storage: 'server',
  printer: 'printer',
  power: 'ups',
  environment: 'other',
  appliance: 'other',
};

/** Every recording in ../shared/snmprec, as role `other` (its rule defaults are the plainest). */
export function sharedRecordings(): FleetDevice[] {
  return readdirSync(RECORDINGS_DIR)
    .filter((f) => f.endsWith('.snmprec'))
    .map((f) => f.slice(0, -'.snmprec'.length))
    .sort()
    .map((name) => ({ recording: name, file: `${RECORDINGS_DIR}${name}.snmprec`, role: 'other' as const }));
}

/**
 * A fixed, spread-out selection of the LibreNMS corpus: every `stride`-th recording of index.tsv in its
 * order, so every device type is in it, with the role its LibreNMS type suggests.
 */
export function corpusSelection(stride: number): FleetDevice[] {
  const rows = readFileSync(join(CORPUS_DIR, 'index.tsv'), 'utf8').trim().split('\n').slice(1);
  return rows
    .filter((_, i) => i % stride === 0)
    .map((line) => {
      const [name, type] = line.split('\t') as [string, string];
      return { recording: name, file: join(CORPUS_DIR, 'recordings', `${name}.snmprec`), role: ROLE_OF_TYPE[type] ?? 'other' };
    });
}

export interface FleetOptions {
  devices: readonly FleetDevice[];
  /** Polls of every device after the first (discovery) one. */
  rounds: number;
  intervalSeconds: number;
  /** Where the SNMP agents answer: snmpsimd's address and port, or any address when withSession is replaced in-process. */
  snmp: { host: string; port: number };
  /** Devices per site (one agent each). */
  perSite?: number;
  start: number;
}

export interface RaisedAlert {
  /** "<recording> <rule>[ <interface or instance>]" */
  key: string;
  title: string;
}

export interface FleetResult {
  devices: number;
  sites: number;
  rounds: number;
  /** Every alert that reached firing during the run. */
  raised: RaisedAlert[];
  /** Alerts still pending at the end. */
  pending: number;
  samples: number;
  uplinks: number;
  /** How many devices gave each measurement (ups, host_storage, printer_supply...): what the rules were tried on. */
  devicesWith: Record<string, number>;
}

const deviceName = (recording: string) => recording.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]/, 'd').slice(0, 63);

/**
 * A healthy fleet polled through the real SNMP check (agent), the real ingest (wire decoding, sequence,
 * site checks) and the alert engine with the built-in rules, on a manual clock: one poll to find each
 * device's interfaces (the up ones become its uplinks, as a provider lists a switch's uplinks), then
 * `rounds` more. Returns every alert that fired.
 */
export async function runFleet(o: FleetOptions): Promise<FleetResult> {
  const perSite = o.perSite ?? 40;
  const clock = { t: o.start };
  const log = createLogger('quiet-fleet', 'silent');
  const ctx = { now: () => clock.t, log };
  const check = createSnmpCheck();
  const snmpConfig = (d: FleetDevice) =>
    snmpCheckSchema.parse({ community: d.recording, port: o.snmp.port, timeoutSeconds: 2, retries: 0, intervalSeconds: o.intervalSeconds });
  const groups: FleetDevice[][] = [];
  for (let i = 0; i < o.devices.length; i += perSite) groups.push(o.devices.slice(i, i + perSite));
  const byName = new Map(o.devices.map((d) => [deviceName(d.recording), d]));

  // Discovery poll: what each device has, before any alerting.
  const uplinks: Record<string, Record<string, string[]>> = {};
  let samples = 0;
  const poll = async (d: FleetDevice) => {
    const config = snmpConfig(d);
    return check.run(deviceSchema.parse({ name: deviceName(d.recording), address: o.snmp.host, role: d.role, checks: { snmp: config } }), config, ctx);
  };
  for (const [i, group] of groups.entries()) {
    const site = (uplinks[`quiet-${i}`] = {} as Record<string, string[]>);
    for (const d of group) {
      const up = (await poll(d)).filter((s) => s.measurement === 'interface' && s.fields.oper_status === 1 && s.fields.admin_status === 1 && s.tags.interface !== undefined);
      if (up.length > 0) site[deviceName(d.recording)] = up.slice(0, 2).map((s) => s.tags.interface!);
    }
  }
  const sites: SiteFile[] = groups.map((group, i) =>
    siteFileSchema.parse({
      id: `quiet-${i}`,
      name: `Quiet School ${i}`,
      timezone: 'Europe/London',
      devices: group.map((d) => ({ name: deviceName(d.recording), address: o.snmp.host, role: d.role, checks: { snmp: snmpConfig(d) } })),
      calendar: { terms: [{ start: '2026-09-03', end: '2026-12-18' }] },
      alerts: { uplinks: uplinks[`quiet-${i}`] },
    }),
  );

  const dir = mkdtempSync(join(tmpdir(), 'hm-quiet-fleet-'));
  const store = new AlertStore(join(dir, 'alerts.db'));
  try {
    const engine = createAlertEngine({ config: alertsConfigSchema.parse({}), sites, store, channels: [], log, now: () => clock.t });
    const ingest = createIngest({ writer: { write: () => undefined }, log, now: () => clock.t, onAccepted: (b) => engine.samples(b.site, b.agent, b.samples) });
    const seq = new Map<string, number>();
    const devicesWith: Record<string, number> = {};
    for (let round = 1; round <= o.rounds; round++) {
      clock.t = o.start + round * o.intervalSeconds * 1000;
      for (const site of sites) {
        const agent = `${site.id}-agent`;
        engine.status(agentStatusSchema.parse({ v: WIRE_VERSION, agent, site: site.id, state: 'online', version: 'quiet-fleet', startedAt: o.start, at: clock.t, uptimeSeconds: (clock.t - o.start) / 1000 }));
        const polled: Sample[] = [];
        for (const device of site.devices) {
          const got = await poll(byName.get(device.name)!);
          if (round === 1) for (const m of new Set(got.map((x) => x.measurement))) devicesWith[m] = (devicesWith[m] ?? 0) + 1;
          polled.push(...got);
        }
        samples += polled.length;
        for (let i = 0; i < polled.length; i += MAX_SAMPLES_PER_BATCH) {
          const n = seq.get(agent) ?? 0;
          seq.set(agent, n + 1);
          const batch = { v: WIRE_VERSION, agent, site: site.id, seq: n, sentAt: clock.t, samples: polled.slice(i, i + MAX_SAMPLES_PER_BATCH) };
          await ingest.handle(samplesTopic(site.id), encodeMessage(batch), { agent, site: site.id });
        }
      }
      // Evaluated as the timer would, several times per poll interval.
      for (let k = 0; k < 4; k++) {
        engine.tick();
        clock.t += (o.intervalSeconds * 1000) / 4;
      }
    }
    const rejects = ingest.stats().rejects;
    if (Object.values(rejects).some((n) => n > 0)) throw new Error(`ingest refused batches: ${JSON.stringify(rejects)}`);
    const all = store.list({ all: true, from: 0 });
    const raised = all
      .filter((a) => a.firingAt !== undefined)
      .map((a) => ({ key: [byName.get(a.device ?? '')?.recording ?? a.site, a.rule, a.interface ?? a.instance].filter(Boolean).join(' '), title: a.title }))
      .sort((a, b) => a.key.localeCompare(b.key));
    return {
      devices: o.devices.length,
      sites: sites.length,
      rounds: o.rounds,
      raised,
      pending: engine.alerts().filter((a) => a.state === 'pending').length,
      samples,
      uplinks: Object.values(uplinks).reduce((n, s) => n + Object.values(s).flat().length, 0),
      devicesWith,
    };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
