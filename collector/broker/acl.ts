import { configTopic, eventsTopic, parseTopic, samplesTopic, statusTopic } from '../../contract/index.ts';

/** Who is on the other end of a connection, as established by authentication. */
export interface AgentIdentity {
  agent: string;
  site: string;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

const OK: Verdict = { ok: true };

/** An agent publishes only its site's samples and events and its own status; only the status is retained. */
export function checkPublish(who: AgentIdentity, topic: string, retain: boolean): Verdict {
  const status = statusTopic(who.site, who.agent);
  if (topic !== samplesTopic(who.site) && topic !== eventsTopic(who.site) && topic !== status) {
    return { ok: false, reason: foreign(who, topic) };
  }
  if (retain && topic !== status) return { ok: false, reason: 'retained publish is allowed only on the status topic' };
  return OK;
}

/** An agent subscribes only to its own site's config, exactly: no wildcard filters. */
export function checkSubscribe(who: AgentIdentity, filter: string): Verdict {
  if (filter === configTopic(who.site)) return OK;
  if (/[+#]/.test(filter)) return { ok: false, reason: 'wildcard filters are not allowed' };
  const parsed = parseTopic(filter);
  if (parsed?.kind === 'config') return { ok: false, reason: `config of another site "${parsed.site}"` };
  return { ok: false, reason: 'agents may subscribe only to their site\'s config topic' };
}

/** The will is published later on the agent's behalf, so it is held to the same rule, at CONNECT. */
export function checkWill(who: AgentIdentity, topic: string): Verdict {
  if (topic === statusTopic(who.site, who.agent)) return OK;
  return { ok: false, reason: `will must be on the agent's status topic, not ${quote(topic)}` };
}

function foreign(who: AgentIdentity, topic: string): string {
  const parsed = parseTopic(topic);
  if (!parsed) return `not a hallmonitor topic: ${quote(topic)}`;
  if (parsed.site !== who.site) return `topic of another site "${parsed.site}"`;
  if (parsed.kind === 'config') return 'the config topic is published by the collector only';
  return `status topic of another agent "${parsed.agent ?? ''}"`;
}

/** Topics come from the network: bounded before they go into a reason or a log line. */
export function quote(topic: string): string {
  return JSON.stringify(topic.length > 200 ? `${topic.slice(0, 200)}…` : topic);
}
