/**
 * Per-agent message and byte budgets (token buckets). A publish over budget is not refused: its
 * acknowledgement waits until the budget allows it, and aedes reads nothing more from that connection
 * meanwhile (it reads the next batch only when every PUBLISH of the last one was acknowledged), so a flooding
 * agent is slowed to its budget by TCP backpressure while every other agent's messages go through at once.
 * Pure apart from the injected clock.
 */
export interface AgentRateLimits {
  /** Messages per second, sustained... */
  messagesPerSecond: number;
  /** ...after a burst of this many. */
  messageBurst: number;
  /** Payload bytes per second, sustained... */
  bytesPerSecond: number;
  /** ...after a burst of this many. */
  byteBurst: number;
}

/**
 * An agent sends a batch every few seconds; after an outage it replays its spool with up to 20 batches in
 * flight. These budgets let that replay run at several times the collector's share per school and stop
 * one school from taking all of it.
 */
export const AGENT_RATE_DEFAULTS: AgentRateLimits = {
  messagesPerSecond: 100,
  messageBurst: 1_000,
  bytesPerSecond: 4 * 1024 * 1024,
  byteBurst: 16 * 1024 * 1024,
};

export interface AgentRates {
  /** Takes one message of `bytes` from the agent's budget; answers how long its acknowledgement must wait (0: none). */
  take(agent: string, bytes: number): number;
  forget(agent: string): void;
}

interface Budget {
  messages: number;
  bytes: number;
  at: number;
}

export function createAgentRates(limits: AgentRateLimits, now: () => number): AgentRates {
  const budgets = new Map<string, Budget>();
  return {
    take(agent, bytes) {
      const at = now();
      const b = budgets.get(agent) ?? { messages: limits.messageBurst, bytes: limits.byteBurst, at };
      const seconds = (at - b.at) / 1_000;
      b.messages = Math.min(limits.messageBurst, b.messages + seconds * limits.messagesPerSecond) - 1;
      b.bytes = Math.min(limits.byteBurst, b.bytes + seconds * limits.bytesPerSecond) - bytes;
      b.at = at;
      budgets.set(agent, b);
      const wait = Math.max(b.messages < 0 ? (-b.messages / limits.messagesPerSecond) * 1_000 : 0, b.bytes < 0 ? (-b.bytes / limits.bytesPerSecond) * 1_000 : 0);
      return Math.ceil(wait);
    },
    forget(agent) {
      budgets.delete(agent);
    },
  };
}
