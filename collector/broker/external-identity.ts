import { parseTopic } from '../../contract/index.ts';
import type { AgentDirectory } from '../agents/directory.ts';
import { quote, type AgentIdentity } from './acl.ts';

/** Why a message from the external broker was not passed on; each is counted. */
export type ExternalRejectReason = 'topic' | 'unknown-agent' | 'revoked-agent' | 'foreign-agent' | 'oversize';

export type Identified = { ok: true; who: AgentIdentity } | { ok: false; reason: ExternalRejectReason; detail: string };

/**
 * Who sent a message, when the collector did not see the login (an external broker authenticated it and its
 * ACL confined it to the topic). The topic names the site, a status topic also the agent; a samples or events
 * message names its agent in the body. That agent must be in the registry, not revoked, and belong to the
 * topic's site: the broker's ACL is the first door, this is the second. The ingest and the status handler
 * then hold the body's site and agent to this identity (a body naming another site is counted there).
 */
export function identifySender(topic: string, payload: Buffer, agents: AgentDirectory): Identified {
  const parsed = parseTopic(topic);
  if (!parsed || parsed.kind === 'config') return { ok: false, reason: 'topic', detail: 'not a topic agents publish on' };
  const agent = parsed.agent ?? agentNamedIn(payload);
  // A body without a readable agent is still the ingest's to reject (and count) as invalid.
  if (agent === undefined) return { ok: true, who: { agent: '', site: parsed.site } };
  const entry = agents.lookup(agent);
  if (!entry) return { ok: false, reason: 'unknown-agent', detail: `no agent ${quote(agent)} in the registry` };
  if (entry.revokedAt !== undefined) return { ok: false, reason: 'revoked-agent', detail: `agent "${agent}" revoked at ${entry.revokedAt}` };
  if (entry.site !== parsed.site) {
    return { ok: false, reason: 'foreign-agent', detail: `agent "${agent}" belongs to site "${entry.site}", not "${parsed.site}"` };
  }
  return { ok: true, who: { agent: entry.id, site: entry.site } };
}

/** The `agent` field of a JSON body, or undefined. The ingest decodes and validates the whole body later. */
function agentNamedIn(payload: Buffer): string | undefined {
  try {
    const body: unknown = JSON.parse(payload.toString('utf8'));
    const agent = typeof body === 'object' && body !== null ? (body as { agent?: unknown }).agent : undefined;
    return typeof agent === 'string' ? agent : undefined;
  } catch {
    return undefined;
  }
}
