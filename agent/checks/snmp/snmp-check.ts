import { toTagValue, type Device, type FieldValue, type Sample, type SnmpCheckConfig } from '../../../contract/index.ts';
import { deviceTags, type Check, type CheckContext } from '../check.ts';
import { detectDevice, isDeviceGone, provisionalDetection, type Detection, type ProbeProgress } from './profiles/detect.ts';
import { PROFILES } from './profiles/index.ts';
import type { Profile } from './profiles/profile.ts';
import { SnmpFailure, withSession } from './session.ts';
import { readSystem } from './system.ts';

/** The sample contract caps string fields at 4,096 characters. */
const MAX_STRING = 4_096;
/** State of a device not polled for this long is dropped (it left the site's list, or was renamed). */
const FORGET_AFTER_MS = 24 * 3_600_000;
/**
 * Profiles are probed again after this long even when the sysObjectID stayed: a firmware update can add
 * a MIB, and a printer asleep at the first poll may not have answered its Printer-MIB.
 */
const REDETECT_AFTER_MS = 24 * 3_600_000;
/**
 * Probing may use this share of a poll's time; the rest is the profiles' (interfaces first). What is not
 * probed in time is probed at the next poll, the device meanwhile polled for its interfaces only.
 */
const PROBE_SHARE = 0.25;

interface DeviceState {
  /** Counters are only comparable, and a detection only valid, for the same address, port and SNMP version. */
  target: string;
  at: number;
  objectId: string | undefined;
  /** The profiles and classification in use, once probing finished. */
  detection?: Detection | undefined;
  /** When that detection was made. */
  detectedAt: number;
  /** Probing under way, carried over from a poll where it ran out of its share of the time. */
  probing?: ProbeProgress | undefined;
  /** What each profile kept from its last good poll (e.g. interface counters). */
  kept: Map<string, unknown>;
}

export interface SnmpCheckOptions {
  /** The profiles to choose from; defaults to all of them. */
  profiles?: readonly Profile[];
}

/**
 * SNMP poll of the system group (RFC 3418), then of each profile (profiles/) the device supports: IF-MIB
 * interfaces always; host resources, printer supplies, UPS, wireless clients where their MIB answered.
 * Which profiles apply, and the device's class/vendor/model, are decided on the first poll (or over the
 * first few, when probing needs more than its share of a poll) and again when the sysObjectID changes, or
 * a day later. Samples: `snmp` (up, response_ms, uptime_s, sys_*, plus each profile's
 * summary such as `interfaces`), `device_info`, and each profile's own; all carry the tags `class` and
 * `vendor`. A device that does not answer gives only the `snmp` sample with up 0 and an `error`; a
 * profile whose tables fail puts "<profile>: <reason>" in the `snmp` sample's `error` and the rest go on.
 */
export function createSnmpCheck(options: SnmpCheckOptions = {}): Check<SnmpCheckConfig> {
  const profiles = options.profiles ?? PROFILES;
  const state = new Map<string, DeviceState>();

  return {
    kind: 'snmp',
    async run(device: Device, config: SnmpCheckConfig, ctx: CheckContext): Promise<Sample[]> {
      const started = ctx.now();
      for (const [name, s] of state) if (started - s.at > FORGET_AFTER_MS) state.delete(name);
      const target = `${device.address}:${config.port}/${config.version}`;
      const budgetMs = Math.max(config.intervalSeconds, config.timeoutSeconds * (config.retries + 1)) * 1000;
      const known = state.get(device.name);
      const previous = known?.target === target ? known : undefined;
      try {
        return await withSession(device.address, config, { budgetMs }, async (session) => {
          const system = await readSystem(session);
          const systemAt = ctx.now();
          const fields: Record<string, FieldValue> = { up: 1, response_ms: systemAt - started };
          if (system.uptimeCs !== undefined) fields.uptime_s = system.uptimeCs / 100;
          if (system.descr !== undefined) fields.sys_descr = system.descr.slice(0, MAX_STRING);
          if (system.name !== undefined) fields.sys_name = system.name.slice(0, MAX_STRING);
          if (system.objectId !== undefined) fields.sys_object_id = system.objectId;

          const errors: string[] = [];
          // The same device as last time (a new sysObjectID is new firmware or another box: start afresh).
          const same = previous?.objectId === system.objectId ? previous : undefined;
          let final = same?.detection;
          let detectedAt = same?.detectedAt ?? started;
          let probing = same?.probing;
          if (final === undefined || started - detectedAt >= REDETECT_AFTER_MS) {
            try {
              const result = await detectDevice(session, system, profiles, { progress: probing, deadline: started + budgetMs * PROBE_SHARE, now: ctx.now });
              if ('detection' in result) {
                final = result.detection;
                detectedAt = started;
                probing = undefined;
                ctx.log.info({ device: device.name, check: 'snmp', profiles: final.profiles.map((p) => p.name), ...final.classification }, 'device profiles chosen');
              } else {
                probing = result.progress;
                ctx.log.debug({ device: device.name, check: 'snmp', probed: probing.answered.size }, 'probing continues next poll');
              }
            } catch (error) {
              if (!(error instanceof SnmpFailure)) throw error;
              errors.push(`detect: ${error.message}`);
            }
          }
          const detection = final ?? provisionalDetection(system, profiles);
          const kept = same?.kept ?? new Map<string, unknown>();
          const tags = classTags(device, detection);

          const samples: Sample[] = [];
          for (const profile of detection.profiles) {
            try {
              const result = await profile.poll(session, { device, system, tags, now: ctx.now, log: ctx.log, previous: kept.get(profile.name) });
              samples.push(...result.samples);
              for (const [key, value] of Object.entries(result.summary ?? {})) {
                if (key === 'error') errors.push(String(value));
                else fields[key] = value;
              }
              if (result.keep !== undefined) kept.set(profile.name, result.keep);
            } catch (error) {
              // The device is up but this profile's tables did not arrive whole: keep what the profile kept
              // (old counters give a rate over the longer interval at the next good poll).
              const reason = error instanceof SnmpFailure ? error.message : 'internal error';
              errors.push(`${profile.name}: ${reason}`);
              if (error instanceof SnmpFailure) {
                ctx.log.warn({ device: device.name, check: 'snmp', profile: profile.name, reason }, 'profile tables not read');
                if (isDeviceGone(error)) break;
              } else {
                ctx.log.error({ device: device.name, check: 'snmp', profile: profile.name, err: error }, 'profile failed');
              }
            }
          }
          if (errors.length > 0) fields.error = errors.join('; ').slice(0, MAX_STRING);
          state.set(device.name, { target, at: ctx.now(), objectId: system.objectId, detection: final, detectedAt, probing, kept });
          return [{ measurement: 'snmp', tags, fields, time: systemAt }, deviceInfo(detection, tags, system.objectId, systemAt), ...samples];
        });
      } catch (error) {
        if (!(error instanceof SnmpFailure)) throw error;
        ctx.log.debug({ device: device.name, check: 'snmp', reason: error.message }, 'no answer');
        const tags = previous?.detection === undefined ? deviceTags(device) : classTags(device, previous.detection);
        return [{ measurement: 'snmp', tags, fields: { up: 0, error: error.message }, time: started }];
      }
    },
  };
}

function classTags(device: Device, detection: Detection): Record<string, string> {
  return { ...deviceTags(device), class: detection.classification.class, vendor: toTagValue(detection.classification.vendor, 'unknown') };
}

/** `device_info`: tags class, vendor, model; fields profiles (comma-separated) and sys_object_id. */
function deviceInfo(detection: Detection, tags: Record<string, string>, objectId: string | undefined, time: number): Sample {
  const infoTags = { ...tags };
  const model = detection.classification.model;
  if (model !== undefined && toTagValue(model, '') !== '') infoTags.model = toTagValue(model, '');
  const fields: Record<string, FieldValue> = { profiles: detection.profiles.map((p) => p.name).join(',') };
  if (objectId !== undefined) fields.sys_object_id = objectId;
  return { measurement: 'device_info', tags: infoTags, fields, time };
}
