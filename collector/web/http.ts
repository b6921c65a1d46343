import { createHash, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { CSS_HASH } from './render/assets.ts';

/**
 * Every answer carries these. Script only from this server and the one stylesheet by its hash (no other inline
 * code, so an injected tag cannot run), no framing (clickjacking), no Referer (a school's page address is its credential), no
 * MIME sniffing, and no caching of pages by shared proxies (a school's page is private).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    `default-src 'none'; script-src 'self'; style-src ${CSS_HASH}; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  'x-robots-tag': 'noindex, nofollow',
};

export const BODY_MAX = 8 * 1024;
export const URL_MAX = 2_048;

/** A refusal with its status; the message is shown to the user, so it never holds internals. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * The request target's path segments, percent-decoded one by one (so an encoded "/" stays inside its segment),
 * and its query. Anything that is not origin-form (RFC 9112 §3.2.1), too long, or badly encoded is a 400.
 */
export function parseTarget(raw: string | undefined): { segments: string[]; query: URLSearchParams; path: string } {
  if (raw === undefined || !raw.startsWith('/') || raw.startsWith('//')) throw new HttpError(400, 'Bad request address.');
  if (raw.length > URL_MAX) throw new HttpError(414, 'Request address too long.');
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  const search = q === -1 ? '' : raw.slice(q + 1);
  let segments: string[];
  let query: URLSearchParams;
  try {
    segments = path
      .split('/')
      .slice(1)
      .map((s) => decodeURIComponent(s));
    // URLSearchParams replaces bad escapes silently; check them first so a mangled query is refused, not guessed.
    decodeURIComponent(search.replace(/\+/g, ' '));
    query = new URLSearchParams(search);
  } catch {
    throw new HttpError(400, 'Bad request address.');
  }
  if (segments.at(-1) === '' && segments.length > 1) segments.pop();
  return { segments, query, path };
}

/** Reads a form body, at most BODY_MAX bytes, as application/x-www-form-urlencoded only. */
export function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return Promise.reject(new HttpError(415, 'Expected a form.'));
  const declared = Number(req.headers['content-length'] ?? 0);
  if (Number.isFinite(declared) && declared > BODY_MAX) return Promise.reject(new HttpError(413, 'Too much data.'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > BODY_MAX) {
        failed = true;
        reject(new HttpError(413, 'Too much data.'));
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (failed) return;
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        decodeURIComponent(text.replace(/\+/g, ' '));
      } catch {
        return reject(new HttpError(400, 'Badly encoded form.'));
      }
      resolve(new URLSearchParams(text));
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
    });
  });
}

/**
 * Reads a JSON body (RFC 8259), at most BODY_MAX bytes, as application/json only (a cross-site form cannot send
 * that type without a CORS preflight, which this server never grants). Badly formed JSON is a 400.
 */
export function readJson(req: http.IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') return Promise.reject(new HttpError(415, 'Expected application/json.'));
  const declared = Number(req.headers['content-length'] ?? 0);
  if (Number.isFinite(declared) && declared > BODY_MAX) return Promise.reject(new HttpError(413, `Too much data: at most ${BODY_MAX} bytes.`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > BODY_MAX) {
        failed = true;
        reject(new HttpError(413, `Too much data: at most ${BODY_MAX} bytes.`));
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (failed) return;
      try {
        resolve(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks))));
      } catch {
        reject(new HttpError(400, 'Expected a JSON body in UTF-8.'));
      }
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
    });
  });
}

/** Cookies of the request (RFC 6265 §5.4); a malformed pair is skipped. */
export function cookies(req: http.IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (/^[A-Za-z0-9_-]{1,64}$/.test(name) && /^[A-Za-z0-9_-]{0,128}$/.test(value) && !out.has(name)) out.set(name, value);
  }
  return out;
}

/** Constant-time string comparison (hashed first, so lengths match). */
export function sameSecret(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

/**
 * A write must come from our own pages. Sec-Fetch-Site (Fetch Metadata, set by the browser and not by page
 * script) must say same-origin where it is sent; otherwise an Origin header must name this host. Under
 * Referrer-Policy: no-referrer browsers send `Origin: null` for a form post, so "null" proves nothing either
 * way: then the SameSite=Strict cookie and the per-session token are the locks.
 */
export function refuseCrossSite(req: http.IncomingMessage): void {
  const refused = () => new HttpError(403, 'Refused: this form was sent from another site.');
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) {
    if (site !== 'same-origin') throw refused();
    return;
  }
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (host === undefined || host !== req.headers.host) throw refused();
}
