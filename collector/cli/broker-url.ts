import { ConfigError } from '../../contract/index.ts';
import type { ResolvedCollectorConfig } from '../config/load.ts';

const AGENT_PROTOCOLS = ['mqtt:', 'mqtts:', 'tcp:', 'tls:', 'ws:', 'wss:'];
// Addresses a listener binds to but no agent can dial: every interface (RFC 1122 §3.2.1.3, RFC 4291 §2.5.2).
const WILDCARD = new Set(['0.0.0.0', '::', '[::]', '']);

/** `--broker-url` as given: an MQTT URL with a host, as the agent's config expects (agent/config/schema.ts). */
export function brokerUrlOption(text: string): string {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (url === undefined || !AGENT_PROTOCOLS.includes(url.protocol) || url.hostname === '') {
    throw new ConfigError(`--broker-url: expected a URL such as "mqtts://collector.provider.example:8883", got "${text}"`);
  }
  if (url.username !== '' || url.password !== '') throw new ConfigError('--broker-url: no user or password in the URL (agent add makes them)');
  return text;
}

/**
 * Where agents reach this collector, when collector.yaml says so unambiguously: the external broker's URL,
 * or the embedded broker's listener when it is bound to one address (TLS preferred). A listener on every
 * interface (the default 0.0.0.0) names no address an agent could dial, so then --broker-url is required.
 */
export function brokerUrlFromConfig(config: ResolvedCollectorConfig): string {
  const broker = config.broker;
  if (broker.mode === 'external' && broker.external !== undefined) return broker.external.url;
  if (WILDCARD.has(broker.host)) {
    throw new ConfigError(
      `--broker-url: required: broker.host in ${config.file} is "${broker.host}" (every interface), which names no address agents can dial; ` +
        'give the name or address the school\'s agent reaches this collector at, e.g. --broker-url mqtts://collector.provider.example:8883',
    );
  }
  const host = broker.host.includes(':') ? `[${broker.host}]` : broker.host;
  if (broker.tls !== undefined) return `mqtts://${host}:${broker.tls.port}`;
  return `mqtt://${host}:${broker.port}`;
}
