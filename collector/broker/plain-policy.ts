import { isIP } from 'node:net';
import { ConfigError } from '../../contract/index.ts';

/** What the plain-listener rule reads from collector.yaml `broker`. */
export interface PlainListenerSettings {
  host: string;
  plain: boolean;
  allowPlainMqtt: boolean;
}

/** 127.0.0.0/8, ::1 and localhost: a listener there is reachable from this machine only. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h.startsWith('::ffff:127.');
}

/**
 * Agents send their password in the CONNECT packet: over plain MQTT anyone on the path reads it. A plain
 * listener that other machines can reach is refused unless collector.yaml says `allowPlainMqtt: true`, and
 * then warned about at every start. Answers the warning to log, or undefined; throws for a refusal.
 */
export function checkPlainListener(broker: PlainListenerSettings, configFile: string): string | undefined {
  if (!broker.plain || isLoopback(broker.host)) return undefined;
  if (!broker.allowPlainMqtt) {
    throw new ConfigError(
      `${configFile}: broker: a plain MQTT listener on ${broker.host} would send agent passwords in clear; ` +
        'configure broker.tls with plain: false, listen on 127.0.0.1, or set broker.allowPlainMqtt: true',
    );
  }
  return `plain MQTT listener on ${broker.host} (broker.allowPlainMqtt: true): agent passwords cross the network unencrypted; use broker.tls`;
}
