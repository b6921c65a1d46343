import ping from 'ping';
import type { Device, FieldValue, PingCheckConfig, Sample } from '../../../contract/index.ts';
import { deviceTags, type Check, type CheckContext } from '../check.ts';
import { lossPercent, noReplyReason, parsePingSummary, type PingSummary } from './parse.ts';

/** Runs the probes against one address and returns what system ping printed. */
export type PingRunner = (address: string, config: PingCheckConfig) => Promise<string>;

/**
 * The system ping through the `ping` package, which spawns it with LANG=C so the summary is in English.
 * Only the raw output is used: the package's own figures are strings, and it reports a host as alive
 * when any one probe answered, without the sent/received counts.
 */
export const systemPing: PingRunner = async (address, config) => {
  const result = await ping.promise.probe(address, {
    numeric: true,
    min_reply: config.probes,
    timeout: config.timeoutSeconds,
    extra: ['-i', String(config.probeIntervalSeconds)],
  });
  return result.output;
};

/**
 * ICMP echo check. Measurement `ping`: up, loss_pct, sent, received and, when anything answered,
 * rtt_min_ms/rtt_avg_ms/rtt_max_ms and jitter_ms (ping's mdev). Nothing answering is a result (up 0).
 */
export function createPingCheck(runner: PingRunner = systemPing): Check<PingCheckConfig> {
  return {
    kind: 'ping',
    async run(device: Device, config: PingCheckConfig, ctx: CheckContext): Promise<Sample[]> {
      const time = ctx.now();
      const tags = deviceTags(device);
      // The address goes on ping's command line last; one starting with "-" would be read as an option.
      if (device.address.startsWith('-')) {
        return [{ measurement: 'ping', tags, time, fields: { up: 0, loss_pct: 100, sent: 0, received: 0, error: 'invalid address' } }];
      }
      const output = await runner(device.address, config);
      const summary = parsePingSummary(output);
      const fields = pingFields(summary, output);
      if (fields.up === 0) ctx.log.debug({ device: device.name, check: 'ping', reason: fields.error }, 'no reply');
      return [{ measurement: 'ping', tags, time, fields }];
    },
  };
}

/** Sample fields from a parsed run; `output` supplies the reason when nothing answered. */
export function pingFields(summary: PingSummary | undefined, output: string): Record<string, FieldValue> {
  if (summary === undefined || summary.received === 0) {
    return {
      up: 0,
      loss_pct: 100,
      sent: summary?.sent ?? 0,
      received: 0,
      error: noReplyReason(output, summary),
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

export const pingCheck: Check<PingCheckConfig> = createPingCheck();
