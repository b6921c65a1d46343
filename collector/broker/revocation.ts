import type { Client } from 'aedes';
import type { Logger } from '../../contract/index.ts';
import type { AgentDirectory } from '../agents/directory.ts';
import type { AgentIdentity } from './acl.ts';
import type { BrokerStats } from './hooks.ts';

export interface RevocationWatchOptions {
  agents: AgentDirectory;
  /** The agents connected now, with the identity they logged in with. */
  connected: () => Iterable<[Client, AgentIdentity]>;
  log: Logger;
  stats: BrokerStats;
  intervalMs: number;
}

/**
 * Closes the connection of an agent revoked (or removed) while connected. Periodic, one stat of the agents
 * file per tick: a check on every publish would put file I/O on the ingest path and still miss an agent that
 * only sits subscribed, and fs.watch loses events when the admin command replaces the file by rename. The
 * agents are swept only when the file actually changed. Returns a stop function.
 */
export function watchRevocations(o: RevocationWatchOptions): () => void {
  let seen = o.agents.generation();
  const sweep = (): void => {
    const now = o.agents.generation();
    if (now === seen) return;
    seen = now;
    for (const [client, who] of o.connected()) {
      const entry = o.agents.lookup(who.agent);
      if (entry && entry.revokedAt === undefined && entry.site === who.site) continue;
      o.stats.revokedDisconnects++;
      const reason = entry?.revokedAt !== undefined ? `agent revoked at ${entry.revokedAt}` : 'agent no longer in the agents file';
      o.log.warn({ ...who, reason }, 'revoked agent disconnected');
      // No DISCONNECT exists for a server in 3.1.1 (§3.14 is client to server): the network connection is
      // closed, so the agent's will marks it offline [MQTT-3.1.2-8].
      client.close();
    }
  };
  const timer = setInterval(() => {
    try {
      sweep();
    } catch (err) {
      o.log.error({ err: (err as Error).message }, 'revocation check failed');
    }
  }, o.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
