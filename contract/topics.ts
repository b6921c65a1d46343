import { idSchema } from './ids.ts';
import { TOPIC_PREFIX } from './version.ts';

/** What a message on a site's topic is. */
export type TopicKind = 'samples' | 'status' | 'config' | 'events';

/** Samples and events published by an agent of the site. */
export function samplesTopic(site: string): string {
  return `${TOPIC_PREFIX}/${site}/samples`;
}
export function eventsTopic(site: string): string {
  return `${TOPIC_PREFIX}/${site}/events`;
}
/** One retained status per agent, so two agents at one site never overwrite each other's will. */
export function statusTopic(site: string, agent: string): string {
  return `${TOPIC_PREFIX}/${site}/status/${agent}`;
}
/** Retained, published by the collector: the site's device list. */
export function configTopic(site: string): string {
  return `${TOPIC_PREFIX}/${site}/config`;
}

/**
 * The MQTT client id an agent must use. The broker refuses any other, so one agent cannot take over
 * another's session ([MQTT-3.1.4-2] disconnects the existing client with the same id) and fire its will.
 */
export function agentClientId(agent: string): string {
  return `hm-agent-${agent}`;
}

/** Subscription filters used by the collector. */
export const ALL_SAMPLES = `${TOPIC_PREFIX}/+/samples`;
export const ALL_EVENTS = `${TOPIC_PREFIX}/+/events`;
export const ALL_STATUS = `${TOPIC_PREFIX}/+/status/+`;

export interface ParsedTopic {
  site: string;
  kind: TopicKind;
  /** Only for status topics. */
  agent?: string;
}

/** Parses a concrete (wildcard-free) topic; returns undefined for anything that is not ours. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const parts = topic.split('/');
  if (`${parts[0]}/${parts[1]}` !== TOPIC_PREFIX) return undefined;
  const site = parts[2];
  if (site === undefined || !idSchema.safeParse(site).success) return undefined;
  const kind = parts[3];
  if (parts.length === 4 && (kind === 'samples' || kind === 'events' || kind === 'config')) return { site, kind };
  if (parts.length === 5 && kind === 'status') {
    const agent = parts[4]!;
    if (!idSchema.safeParse(agent).success) return undefined;
    return { site, kind, agent };
  }
  return undefined;
}
