import { randomBytes } from 'node:crypto';

export interface Session {
  user: string;
  /** The per-session anti-CSRF token every form of the session carries. */
  csrf: string;
  expiresAt: number;
}

const MAX_SESSIONS = 10_000;
const FAILURE_WINDOW_MS = 15 * 60_000;
const FAILURES_ALLOWED = 10;
const MAX_TRACKED = 10_000;

export const newSecret = (): string => randomBytes(32).toString('base64url');

/**
 * Staff sessions, in memory (a collector restart signs everyone out). Bounded: past MAX_SESSIONS the oldest
 * goes, so a flood of logins cannot grow the heap.
 */
export class Sessions {
  private readonly byId = new Map<string, Session>();
  constructor(private readonly lifetimeMs: number) {}

  create(user: string, now: number): { id: string; session: Session } {
    if (this.byId.size >= MAX_SESSIONS) this.byId.delete(this.byId.keys().next().value!);
    const id = newSecret();
    const session = { user, csrf: newSecret(), expiresAt: now + this.lifetimeMs };
    this.byId.set(id, session);
    return { id, session };
  }

  get(id: string | undefined, now: number): Session | undefined {
    if (id === undefined) return undefined;
    const s = this.byId.get(id);
    if (s === undefined) return undefined;
    if (s.expiresAt <= now) {
      this.byId.delete(id);
      return undefined;
    }
    return s;
  }

  end(id: string | undefined): void {
    if (id !== undefined) this.byId.delete(id);
  }

  /** Ends every session of a user (the CLI removed them or changed their password). */
  endUser(user: string): void {
    for (const [id, s] of this.byId) if (s.user === user) this.byId.delete(id);
  }

  get size(): number {
    return this.byId.size;
  }
}

/** Failed sign-ins per client address: past FAILURES_ALLOWED in the window, that address waits. Bounded. */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  blocked(address: string, now: number): boolean {
    const recent = (this.failures.get(address) ?? []).filter((t) => now - t < FAILURE_WINDOW_MS);
    return recent.length >= FAILURES_ALLOWED;
  }

  failed(address: string, now: number): void {
    if (!this.failures.has(address) && this.failures.size >= MAX_TRACKED) this.failures.delete(this.failures.keys().next().value!);
    const recent = (this.failures.get(address) ?? []).filter((t) => now - t < FAILURE_WINDOW_MS);
    this.failures.set(address, [...recent, now].slice(-FAILURES_ALLOWED));
  }

  succeeded(address: string): void {
    this.failures.delete(address);
  }
}
