import { readFileSync } from 'node:fs';
import { deviceTags } from '../../agent/checks/check.ts';
import { detectDevice, type Detection } from '../../agent/checks/snmp/profiles/detect.ts';
import { PROFILES } from '../../agent/checks/snmp/profiles/index.ts';
import { SnmpFailure } from '../../agent/checks/snmp/session.ts';
import { readSystem, type SystemInfo } from '../../agent/checks/snmp/system.ts';
import { createLogger, deviceSchema, type FieldValue, type Sample } from '../../contract/index.ts';
import { CORPUS_DIR, corpusSession } from '../harness/index.ts';

/** One corpus entry (index.tsv): the recording's name and LibreNMS's type and OS family for it. */
export interface CorpusEntry {
  name: string;
  type: string;
  os: string;
}

export function corpusIndex(): CorpusEntry[] {
  return readFileSync(`${CORPUS_DIR}/index.tsv`, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [name, type, os] = line.split('\t');
      return { name: name!, type: type!, os: os! };
    });
}

/** What LibreNMS's own test data expects (MANIFEST.md's oracle JSON), the parts compared here. */
export interface Oracle {
  device: { type: string; os: string; hardware?: string | null; sysDescr?: string | null; sysObjectID?: string | null };
  ports?: { ifIndex: number; ifName?: string | null; ifDescr?: string | null; ifOperStatus?: string | number | null; ifSpeed?: number | null; ifHighSpeed?: number | null }[];
  sensors?: { sensor_class: string; sensor_descr: string; sensor_oid: string; sensor_current: number | null; sensor_divisor?: number; sensor_index?: string }[];
  printer_supplies?: { supply_type: string; supply_descr: string; supply_oid: string; supply_capacity: number; supply_current: number }[];
  wireless_sensors?: { sensor_class: string; sensor_descr: string; sensor_oid?: string; sensor_oids?: string; sensor_current: number | null }[];
}

export function readOracle(name: string): Oracle {
  return JSON.parse(readFileSync(`${CORPUS_DIR}/oracle/${name}.json`, 'utf8')) as Oracle;
}

export interface PolledDevice {
  system: SystemInfo;
  detection: Detection;
  samples: Sample[];
  /** What the profiles added to the device's `snmp` sample (interfaces, wireless_clients, ...). */
  summary: Record<string, FieldValue>;
  /** Profiles whose poll failed with an SnmpFailure (a table the recording garbles); not a crash. */
  profileErrors: string[];
  requests: number;
}

const log = createLogger('corpus', 'silent');

/**
 * A recording polled as the agent's SNMP check polls a device, through the session seam instead of
 * UDP: system group, detection (probes, evidence, classification), then every chosen profile once.
 * Anything other than an SnmpFailure propagates: that is a crash on the device's input.
 */
export async function pollRecording(name: string, now = 1_750_000_000_000): Promise<PolledDevice> {
  const session = corpusSession(name);
  const system = await readSystem(session);
  const result = await detectDevice(session, system, PROFILES, { deadline: Number.POSITIVE_INFINITY, now: () => now });
  if (!('detection' in result)) throw new Error(`${name}: detection did not finish without a deadline`);
  const detection = result.detection;
  const device = deviceSchema.parse({ name: 'corpus-device', address: '127.0.0.1' });
  const tags = { ...deviceTags(device), class: detection.classification.class, vendor: detection.classification.vendor };
  const samples: Sample[] = [];
  const profileErrors: string[] = [];
  const summary: Record<string, FieldValue> = {};
  for (const profile of detection.profiles) {
    try {
      const poll = await profile.poll(session, { device, system, tags, now: () => now, log, previous: undefined });
      samples.push(...poll.samples);
      Object.assign(summary, poll.summary);
    } catch (error) {
      if (!(error instanceof SnmpFailure)) throw error;
      profileErrors.push(`${profile.name}: ${error.message}`);
    }
  }
  return { system, detection, samples, summary, profileErrors, requests: session.requests };
}
