import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a link grants: acknowledging one alert, until a time, on behalf of one contact (when named). */
export interface AckClaims {
  alertId: string;
  /** Unix milliseconds; carried in the link as whole seconds. */
  expiresAt: number;
  contact?: string;
}

export type AckLinkCheck = { ok: true; claims: AckClaims } | { ok: false; why: 'malformed' | 'tampered' | 'expired' };

/** The query parameters of a link: a(lert), e(xpiry, unix seconds), c(ontact, optional), s(ignature). */
export interface AckLinkParams {
  a?: string | null;
  e?: string | null;
  c?: string | null;
  s?: string | null;
}

/**
 * HMAC-SHA256 (RFC 2104) over the claims, base64url (RFC 4648 §5) so it sits in a URL unescaped. The claims
 * are encoded as a JSON array, so no choice of alert id or contact can make two claims read alike; the
 * version tag lets a later link format coexist with links already in inboxes.
 */
export function signAck(secret: string, claims: AckClaims): string {
  const message = JSON.stringify(['hallmonitor-ack-v1', claims.alertId, Math.floor(claims.expiresAt / 1000), claims.contact ?? '']);
  return createHmac('sha256', secret).update(message).digest('base64url');
}

/** The link itself: `<publicUrl>/ack?a=...&e=...&c=...&s=...`. */
export function ackUrl(publicUrl: string, secret: string, claims: AckClaims): string {
  const params = new URLSearchParams({ a: claims.alertId, e: String(Math.floor(claims.expiresAt / 1000)) });
  if (claims.contact !== undefined) params.set('c', claims.contact);
  params.set('s', signAck(secret, claims));
  return `${publicUrl.replace(/\/+$/, '')}/ack?${params.toString()}`;
}

/**
 * Checks a link's parameters: the signature first (constant-time, so its bytes cannot be guessed one at a
 * time), then the expiry against the injected time. A changed expiry is "tampered", not "expired".
 */
export function verifyAck(secret: string, params: AckLinkParams, now: number): AckLinkCheck {
  const { a, e, c, s } = params;
  if (!a || !e || !s || !/^\d{1,12}$/.test(e) || !/^[A-Za-z0-9_-]{43}$/.test(s)) return { ok: false, why: 'malformed' };
  const claims: AckClaims = { alertId: a, expiresAt: Number(e) * 1000, ...(c ? { contact: c } : {}) };
  const expected = Buffer.from(signAck(secret, claims));
  if (!timingSafeEqual(expected, Buffer.from(s))) return { ok: false, why: 'tampered' };
  if (now >= claims.expiresAt) return { ok: false, why: 'expired' };
  return { ok: true, claims };
}

/** Makes and checks the links of one collector: its public URL, its key, its link lifetime and clock. */
export interface AckLinks {
  /** The link for a notification about `alertId`, sent to `contact` (recorded as who acknowledged). */
  url(alertId: string, contact?: string): string;
  verify(params: AckLinkParams): AckLinkCheck;
}

export function ackLinks(options: { publicUrl: string; secret: string; lifetimeMs: number; now?: () => number }): AckLinks {
  const now = options.now ?? Date.now;
  return {
    url: (alertId, contact) => ackUrl(options.publicUrl, options.secret, { alertId, expiresAt: now() + options.lifetimeMs, ...(contact !== undefined ? { contact } : {}) }),
    verify: (params) => verifyAck(options.secret, params, now()),
  };
}

