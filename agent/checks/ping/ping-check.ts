import type { Device, FieldValue, PingCheckConfig, Sample } from '../../../contract/index.ts';
import { deviceTags, type Check, type CheckContext } from '../check.ts';
import { PingBatcher, type PingBatcherOptions } from './batcher.ts';
import { findFping } from './fping.ts';
import { runSystemPing } from './system-ping.ts';
import { lossPercent, pingOutcome, type PingOutcome, type PingSummary } from './parse.ts';

/**
 * Runs the probes against one address: either system ping's output (parsed here) or an outcome already
 * parsed (fping's batch mode).
 */
export type PingRunner = (address: string, config: PingCheckConfig) => Promise<string | PingOutcome>;

/**
 * The system ping, one process per check (see system-ping.ts). Only the raw output is returned; parse.ts
 * reads the sent/received counts and round-trip times from its summary.
 */
export const systemPing: PingRunner = (address, config) => runSystemPing(address, config);

/**
 * With fping installed, checks due close together share one fping process (see PingBatcher); a lone
 * check, and any target fping did not report on, uses the system ping. Without fping, system ping only.
 */
export function batchedPing(fping = findFping(), options: Partial<PingBatcherOptions> = {}): PingRunner {
  if (fping === undefined) return systemPing;
  const batcher = new PingBatcher({
    fping,
    single: async (address, config) => toOutcome(await systemPing(address, config)),
    ...options,
  });
  return (address, config) => batcher.probe(address, config);
}

function toOutcome(result: string | PingOutcome): PingOutcome {
  return typeof result === 'string' ? pingOutcome(result) : result;
}

/**
 * ICMP echo check. Measurement `ping`: up, loss_pct, sent, received and, when anything answered,
 * rtt_min_ms/rtt_avg_ms/rtt_max_ms and jitter_ms (ping's mdev). Nothing answering is a result (up 0).
 */
export function createPingCheck(runner: PingRunner = batchedPing()): Check<PingCheckConfig> {
  return {
    kind: 'ping',
    async run(device: Device, config: PingCheckConfig, ctx: CheckContext): Promise<Sample[]> {
      const time = ctx.now();
      const tags = deviceTags(device);
      // The address goes on ping's command line last; one starting with "-" would be read as an option.
      if (device.address.startsWith('-')) {
        return [{ measurement: 'ping', tags, time, fields: { up: 0, loss_pct: 100, sent: 0, received: 0, error: 'invalid address' } }];
      }
      const outcome = toOutcome(await runner(device.address, config));
      const fields = pingFields(outcome.summary, outcome.noReply);
      if (fields.up === 0) ctx.log.debug({ device: device.name, check: 'ping', reason: fields.error }, 'no reply');
      return [{ measurement: 'ping', tags, time, fields }];
    },
  };
}

/** Sample fields from a parsed run; `noReply` is the reason given when nothing answered. */
export function pingFields(summary: PingSummary | undefined, noReply: string): Record<string, FieldValue> {
  if (summary === undefined || summary.received === 0) {
    return {
      up: 0,
      loss_pct: 100,
      sent: summary?.sent ?? 0,
      received: 0,
      error: noReply,
    };
  }
  const fields: Record<string, FieldValue> = {
    up: 1,
    loss_pct: lossPercent(summary),
    sent: summary.sent,
    received: summary.received,
  };
  if (summary.rtt !== undefined) {
    fields.rtt_min_ms = summary.rtt.minMs;
    fields.rtt_avg_ms = summary.rtt.avgMs;
    fields.rtt_max_ms = summary.rtt.maxMs;
    if (summary.rtt.mdevMs !== undefined) fields.jitter_ms = summary.rtt.mdevMs;
  }
  return fields;
}

/** The system ping alone, one process per check. */
export const pingCheck: Check<PingCheckConfig> = createPingCheck(systemPing);
