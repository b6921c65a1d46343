import { statSync } from 'node:fs';
import { loadAgents } from './store.ts';
import type { AgentEntry } from './schema.ts';

/** What the broker asks of the credential store. */
export interface AgentDirectory {
  /** The entry for an agent id, revoked ones included (so a refusal can say why); undefined if unknown. */
  lookup(id: string): AgentEntry | undefined;
  /** Re-reads the file now. On error the previous entries stay in force and the ConfigError is thrown. */
  reload(): void;
  /**
   * Checks the file (one stat), re-reading it if it changed, and returns a number that changes with every
   * re-read: a caller that remembers it knows cheaply whether an entry may have changed.
   */
  generation(): number;
  /** Agents that may log in now (not revoked): the broker keeps a connection for each (admission.ts). */
  registered(): number;
}

export interface DirectoryOptions {
  /** Called when a changed file cannot be loaded during a lookup; the previous entries stay in force. */
  onReloadError?: (err: Error) => void;
}

/**
 * The agents file, held in memory. Each lookup also checks the file's identity (inode, size, mtime): the
 * admin command replaces the file by rename, so `agents revoke` takes effect on the agent's next connect
 * without a signal to the collector. reload() forces a read.
 */
export function openAgentDirectory(file: string, options: DirectoryOptions = {}): AgentDirectory {
  let byId = new Map<string, AgentEntry>();
  let loaded = '';
  let failed = '';
  let generation = 0;

  const signature = (): string => {
    try {
      const s = statSync(file, { bigint: true });
      return `${s.ino}:${s.size}:${s.mtimeNs}`;
    } catch {
      return 'missing';
    }
  };

  const reload = (): void => {
    const sig = signature();
    const entries = loadAgents(file);
    byId = new Map(entries.map((e) => [e.id, e]));
    loaded = sig;
    failed = '';
    generation++;
  };

  const refresh = (): void => {
    const sig = signature();
    if (sig === loaded || sig === failed) return;
    try {
      reload();
    } catch (err) {
      failed = sig; // report a broken file once per change, not on every connect
      options.onReloadError?.(err as Error);
    }
  };

  reload();
  return {
    reload,
    lookup(id) {
      refresh();
      return byId.get(id);
    },
    generation() {
      refresh();
      return generation;
    },
    registered() {
      refresh();
      let n = 0;
      for (const e of byId.values()) if (e.revokedAt === undefined) n++;
      return n;
    },
  };
}
