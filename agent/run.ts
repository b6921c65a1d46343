import {
  SOFTWARE_VERSION,
  decodeMessage,
  encodeMessage,
  describeIssues,
  sampleSchema,
  siteConfigMessageSchema,
  type Device,
  type Logger,
  type Sample,
  type SiteConfigMessage,
} from '../contract/index.ts';
import type { CheckContext } from './checks/check.ts';
import { DeviceEventWatch } from './events/device-events.ts';
import { diskUsedPct } from './events/disk.ts';
import type { ResolvedAgentConfig } from './config/load.ts';
import { CheckStats } from './health/check-stats.ts';
import { hostJob } from './host/host-job.ts';
import { createHostReader } from './host/read-host.ts';
import { Batcher } from './publish/batcher.ts';
import { Link, brokerLinkOptions } from './publish/link.ts';
import { Outbox } from './publish/outbox.ts';
import { systemClock, type Clock } from '../contract/clock.ts';
import { Scheduler } from './schedule/scheduler.ts';
import { jobsForDevices, type CheckSet } from './site-config/jobs.ts';
import { SiteConfigStore } from './site-config/store.ts';
import { openAgentSpool } from './spool/open.ts';
import { TrapReceiver } from './traps/receiver.ts';
import type { Spool } from './spool/spool.ts';

export interface AgentOptions {
  log: Logger;
  checks: CheckSet;
  clock?: Clock;
  /** How often the agent reports its own health and refreshes its retained status. */
  healthIntervalMs?: number;
  /** Defaults to `<dataDir>/spool.db`. */
  spool?: Spool;
  /** Called once the trap receiver is listening (or could not), with its port. */
  onTrapsReady?: (port: number | undefined) => void;
}

export interface RunningAgent {
  readonly scheduler: Scheduler;
  readonly link: Link;
  readonly outbox: Outbox;
  /** Undefined when traps are off in agent.yaml. */
  readonly traps: TrapReceiver | undefined;
  /** The device list in use, and where it came from. */
  devices(): { source: 'local' | 'saved' | 'collector' | 'none'; devices: readonly Device[]; revision?: string };
  /** The agent's own health, as it is published every health interval. */
  health(): Sample;
  stop(): Promise<void>;
}

/** Starts polling and publishing. The device list comes from agent.yaml, else the collector (saved on disk). */
export function startAgent(config: ResolvedAgentConfig, options: AgentOptions): RunningAgent {
  const { log } = options;
  const clock = options.clock ?? systemClock;
  const checkStats = new CheckStats(() => clock.now());
  const checks = checkStats.measure(options.checks);
  const startedAt = clock.now();
  const store = new SiteConfigStore(config.dataDir, log);
  const scheduler = new Scheduler(clock, log);
  const ctx: CheckContext = { now: () => clock.now(), log };
  let source: 'local' | 'saved' | 'collector' | 'none' = 'none';
  let current: SiteConfigMessage | undefined;
  let devices: readonly Device[] = [];

  const spool = options.spool ?? openAgentSpool(config.dataDir, config.spool);
  const outbox = new Outbox({
    agent: config.agent,
    site: config.site,
    spool,
    clock,
    log,
    publish: (payload, done) => link.publishBatch(payload, done),
    maxInFlight: config.spool.maxInFlight,
    onDrop: () => link.publishStatus('online'),
  });
  const batcher = new Batcher(clock, config.batch, (samples) => outbox.add(samples));
  let samplesInvalid = 0;
  const events = new DeviceEventWatch({ agent: config.agent, site: config.site, publish: (e) => link.publishEvent(encodeMessage(e)) });
  // A trap is news: it goes into the spool and out at once, not with the next batch.
  const traps = config.traps?.enabled
    ? new TrapReceiver({
        settings: config.traps,
        log,
        now: () => clock.now(),
        deliver: (sample) => {
          sink([sample]);
          batcher.flush();
        },
      })
    : undefined;
  // The collector refuses a batch with one invalid sample in it; check each here so a check's bug costs
  // that sample only, and says which.
  const sink = (samples: Sample[]) => {
    const valid = samples.filter((sample) => {
      const result = sampleSchema.safeParse(sample);
      if (result.success) return true;
      samplesInvalid++;
      log.error({ device: sample.tags.device, measurement: sample.measurement, reason: describeIssues(result.error)[0] }, 'invalid sample dropped');
      return false;
    });
    batcher.add(valid);
    events.observe(valid);
    traps?.observe(valid);
  };
  const healthJob = {
    key: 'agent/health',
    intervalMs: options.healthIntervalMs ?? 60_000,
    run: async () => {
      sink([healthSample()]);
      checkStats.startWindow();
      link.publishStatus('online');
    },
  };
  const ownJobs = [healthJob];
  if (config.host.enabled) {
    const reader = createHostReader({ now: () => clock.now() });
    ownJobs.push(hostJob({ agent: config.agent, intervalMs: config.host.intervalSeconds * 1000, reader, sink, log }));
  }
  const apply = (list: readonly Device[], from: typeof source) => {
    devices = list;
    source = from;
    events.keepOnly(list.map((d) => d.name));
    void traps?.setDevices(list);
    scheduler.set([...jobsForDevices(list, checks, ctx, sink, log), ...ownJobs]);
    log.info({ site: config.site, devices: list.length, source: from, revision: current?.revision }, 'polling');
  };

  const onConfig = (payload: Buffer) => {
    const decoded = decodeMessage(siteConfigMessageSchema, payload);
    if (!decoded.ok) {
      log.error({ site: config.site, reason: decoded.reason }, 'site config from collector rejected; keeping the current one');
      return;
    }
    const next = decoded.value;
    if (next.site !== config.site) {
      log.error({ site: config.site, got: next.site }, 'site config for another site rejected');
      return;
    }
    if (config.devices !== undefined) {
      log.info({ site: config.site, revision: next.revision }, 'agent.yaml lists devices; central config ignored');
      return;
    }
    if (next.revision === current?.revision) return;
    store.save(next);
    current = next;
    apply(next.devices, 'collector');
    link.publishStatus('online');
  };

  const link = new Link({
    ...brokerLinkOptions(config),
    version: SOFTWARE_VERSION,
    startedAt,
    clock,
    log,
    onConfig,
    spoolStatus: () => outbox.spoolStatus(),
    onConnect: () => outbox.connected(),
    onClose: () => outbox.disconnected(),
    configRevision: () => (source === 'local' ? 'local' : current?.revision),
  });

  const healthSample = (): Sample => {
    const spooled = spool.stats();
    const diskPct = diskUsedPct(config.dataDir);
    return {
      measurement: 'agent_health',
      tags: { agent: config.agent },
      fields: {
        uptime_s: (clock.now() - startedAt) / 1000,
        devices: devices.length,
        checks_run: scheduler.stats.runs,
        overlaps_skipped: scheduler.stats.overlapsSkipped,
        deadlines_missed: scheduler.stats.deadlinesMissed,
        check_failures: scheduler.stats.failures,
        batches_published: outbox.stats.batchesSent,
        batches_resent: outbox.stats.batchesResent,
        batches_unacked: outbox.inFlightCount,
        samples_waiting: batcher.size,
        samples_invalid: samplesInvalid,
        spool_batches: spooled.batches,
        spool_samples: spooled.samples,
        spool_bytes: spooled.bytes,
        spool_dropped_batches: spooled.droppedBatches,
        spool_dropped_samples: spooled.droppedSamples,
        spool_errors: outbox.stats.spoolErrors,
        connected: link.connected ? 1 : 0,
        ...checkStats.fields(),
        ...(traps !== undefined ? traps.counters : {}),
        ...(diskPct !== undefined ? { disk_used_pct: diskPct } : {}),
      },
      time: clock.now(),
    };
  };

  if (traps !== undefined) {
    void traps.start().then((listening) => {
      if (listening) void traps.setDevices(devices);
      options.onTrapsReady?.(listening ? traps.port() : undefined);
    });
  }

  if (config.devices !== undefined) {
    apply(config.devices, 'local');
  } else {
    current = store.load();
    if (current !== undefined) apply(current.devices, 'saved');
    else scheduler.set(ownJobs);
  }

  return {
    scheduler,
    link,
    outbox,
    traps,
    devices: () => ({ source, devices, ...(current ? { revision: current.revision } : {}) }),
    health: healthSample,
    stop: async () => {
      scheduler.stop();
      await traps?.stop();
      // Into the spool: a clean stop loses nothing, even what was still waiting for its batch.
      batcher.flush();
      outbox.stopSending();
      await link.close();
      outbox.close();
      spool.close();
    },
  };
}
