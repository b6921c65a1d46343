import { toFieldText, toTagValue, type Device, type FieldValue, type Sample, type SnmpCheckConfig } from '../../../contract/index.ts';
import { deviceTags, type Check, type CheckContext } from '../check.ts';
import { detectDevice, isDeviceGone, provisionalDetection, type Detection, type ProbeProgress } from './profiles/detect.ts';
import { PROFILES } from './profiles/index.ts';
import type { Profile } from './profiles/profile.ts';
import { SnmpFailure, withSession, type SnmpSession } from './session.ts';
import { readSystem, type SystemInfo } from './system.ts';

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
 * Probing runs after the poll's own work and starts no request past this share of the poll's time; what
 * is left is probed at the next poll. A slow or busy device is thus polled for its interfaces from the
 * first poll on, and rates still come from the second.
 */
const PROBE_SHARE = 0.5;

interface DeviceState {
  /** Counters are only comparable, and a detection only valid, for the same address, port and SNMP version. */
  target: string;
  at: number;
  objectId: string | undefined;
  /** The profiles and classification in use, once probing finished. */
  detection?: Detection | undefined;
  /** When that detection was made. */
  detectedAt: number;
  /** Probing under way, carried over from a poll that ran out of time for it. */
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
 * first few, when probing does not fit in one) and again when the sysObjectID changes, or a day later.
 * Samples: `snmp` (up, response_ms, uptime_s, sys_*, plus each profile's summary such as `interfaces`),
 * `device_info`, and each profile's own; all carry the tags `class` and `vendor`. A device that does not
 * answer gives only the `snmp` sample with up 0 and an `error`; a profile whose tables fail puts
 * "<profile>: <reason>" in the `snmp` sample's `error` and the rest go on.
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
          if (system.descr !== undefined) fields.sys_descr = toFieldText(system.descr.slice(0, MAX_STRING));
          if (system.name !== undefined) fields.sys_name = toFieldText(system.name.slice(0, MAX_STRING));
          if (system.objectId !== undefined) fields.sys_object_id = system.objectId;

          // The same device as last time: a new sysObjectID is new firmware or another box, so start afresh.
          const same = previous?.objectId === system.objectId ? previous : undefined;
          const poll = new DevicePoll(session, device, system, ctx, same?.kept ?? new Map());
          let final = same?.detection;
          let detectedAt = same?.detectedAt ?? started;
          let probing = same?.probing;
          let detection = final ?? provisionalDetection(system, profiles);
          await poll.profiles(detection);

          if ((final === undefined || started - detectedAt >= REDETECT_AFTER_MS) && !poll.deviceGone) {
            try {
              const result = await detectDevice(session, system, profiles, { progress: probing, deadline: started + budgetMs * PROBE_SHARE, now: ctx.now });
              if ('detection' in result) {
                const chosen = { device: device.name, check: 'snmp', profiles: result.detection.profiles.map((p) => p.name), ...result.detection.classification };
                // Said once per device, and again only when a daily re-probe found something different.
                if (final === undefined || describeDetection(final) !== describeDetection(result.detection)) ctx.log.info(chosen, 'device profiles chosen');
                else ctx.log.debug(chosen, 'device profiles unchanged');
                // A first detection applies to this poll already: its class on the samples, its profiles polled.
                if (final === undefined) {
                  detection = result.detection;
                  await poll.profiles(detection);
                }
                final = result.detection;
                detectedAt = started;
                probing = undefined;
              } else {
                probing = result.progress;
              }
            } catch (error) {
              if (!(error instanceof SnmpFailure)) throw error;
              poll.errors.push(`detect: ${error.message}`);
            }
          }

          Object.assign(fields, poll.summary);
          if (poll.errors.length > 0) fields.error = toFieldText(poll.errors.join('; ').slice(0, MAX_STRING));
          state.set(device.name, { target, at: ctx.now(), objectId: system.objectId, detection: final, detectedAt, probing, kept: poll.kept });
          const tags = classTags(device, detection);
          // Samples measured before the first detection finished get its classification too.
          for (const s of poll.samples) Object.assign(s.tags, { class: tags.class, vendor: tags.vendor });
          // device_info says what the device is once probing has decided it: a provisional class (probing ran
          // out of its share of the poll) would count the device twice, by two classes, on the overview.
          const info = final !== undefined ? [deviceInfo(detection, tags, system.objectId, systemAt)] : [];
          return [{ measurement: 'snmp', tags, fields, time: systemAt }, ...info, ...poll.samples];
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

/** One poll of one device: runs profiles (each at most once), gathers their samples, summaries and errors. */
class DevicePoll {
  readonly samples: Sample[] = [];
  readonly summary: Record<string, FieldValue> = {};
  readonly errors: string[] = [];
  /** The device stopped answering (timeout, budget): no further requests this poll. */
  deviceGone = false;
  private readonly polled = new Set<string>();

  constructor(
    private readonly session: SnmpSession,
    private readonly device: Device,
    private readonly system: SystemInfo,
    private readonly ctx: CheckContext,
    readonly kept: Map<string, unknown>,
  ) {}

  async profiles(detection: Detection): Promise<void> {
    const tags = classTags(this.device, detection);
    for (const profile of detection.profiles) {
      if (this.deviceGone || this.polled.has(profile.name)) continue;
      this.polled.add(profile.name);
      try {
        const result = await profile.poll(this.session, { device: this.device, system: this.system, tags, now: this.ctx.now, log: this.ctx.log, previous: this.kept.get(profile.name) });
        this.samples.push(...result.samples);
        for (const [key, value] of Object.entries(result.summary ?? {})) {
          if (key === 'error') this.errors.push(String(value));
          else this.summary[key] = value;
        }
        if (result.keep !== undefined) this.kept.set(profile.name, result.keep);
      } catch (error) {
        // The device is up but this profile's tables did not arrive whole: keep what the profile kept
        // (old counters give a rate over the longer interval at the next good poll).
        const reason = error instanceof SnmpFailure ? error.message : 'internal error';
        this.errors.push(`${profile.name}: ${reason}`);
        const log = { device: this.device.name, check: 'snmp', profile: profile.name };
        if (error instanceof SnmpFailure) {
          this.ctx.log.warn({ ...log, reason }, 'profile tables not read');
          this.deviceGone = isDeviceGone(error);
        } else {
          this.ctx.log.error({ ...log, err: error }, 'profile failed');
        }
      }
    }
  }
}

function describeDetection(d: Detection): string {
  return JSON.stringify([d.profiles.map((p) => p.name), d.classification]);
}

function classTags(device: Device, detection: Detection): Record<string, string> {
  return { ...deviceTags(device), class: detection.classification.class, vendor: toTagValue(detection.classification.vendor, 'unknown') };
}

/** `device_info`: tags class, vendor, model; fields profiles (comma-separated), sys_object_id and class_evidence (what decided the class). */
function deviceInfo(detection: Detection, tags: Record<string, string>, objectId: string | undefined, time: number): Sample {
  const infoTags = { ...tags };
  const model = detection.classification.model;
  if (model !== undefined && toTagValue(model, '') !== '') infoTags.model = toTagValue(model, '');
  const fields: Record<string, FieldValue> = { profiles: detection.profiles.map((p) => p.name).join(',') };
  if (objectId !== undefined) fields.sys_object_id = objectId;
  fields.class_evidence = detection.classification.evidence.slice(0, MAX_STRING);
  return { measurement: 'device_info', tags: infoTags, fields, time };
}
