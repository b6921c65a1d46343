import type http from 'node:http';

/** A refusal with its HTTP status; the message is shown to the client, so it names no secret. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** The request target (RFC 9112 §3.2), checked and decoded once, before any route sees it. */
export interface RequestTarget {
  /** The path as sent, percent-encoding intact ("/api/alerts/north%2Foffline/ack"). */
  path: string;
  /** The path's segments, each percent-decoded ("api", "alerts", "north/offline", "ack"). */
  segments: string[];
  query: URLSearchParams;
}

export const TARGET_MAX = 4_096;

/** pchar of RFC 3986 §3.3 plus "/": what an origin-form path may contain before decoding. */
const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;
// C0 controls and DEL (U+0000-U+001F, U+007F) never belong in a name this server looks up or logs.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Parses origin-form (`/path?query`) and absolute-form (`http://host/path`) targets; anything else (an
 * authority, `*`, a path starting `//`, bad percent-encoding, dot segments, control characters after
 * decoding) is refused with the reason. Never throws.
 */
export function parseTarget(raw: string | undefined): { ok: true; target: RequestTarget } | { ok: false; reason: string } {
  if (raw === undefined || raw === '') return { ok: false, reason: 'no request target' };
  if (raw.length > TARGET_MAX) return { ok: false, reason: `request target over ${TARGET_MAX} characters` };
  let origin = raw;
  if (/^https?:\/\//i.test(raw)) {
    // RFC 9112 §3.2.2: a server must accept the absolute form; only its path and query matter here.
    if (!URL.canParse(raw)) return { ok: false, reason: 'malformed absolute URL' };
    const url = new URL(raw);
    origin = `${url.pathname}${url.search}`;
  }
  const q = origin.indexOf('?');
  const path = q === -1 ? origin : origin.slice(0, q);
  const search = q === -1 ? '' : origin.slice(q + 1);
  if (!path.startsWith('/') || path.startsWith('//')) return { ok: false, reason: 'the path must start with a single "/"' };
  if (!PATH_CHARS.test(path)) return { ok: false, reason: 'the path has characters that must be percent-encoded' };
  const segments: string[] = [];
  for (const part of path.slice(1).split('/')) {
    if (part === '.' || part === '..') return { ok: false, reason: 'dot segments are not accepted' };
    const decoded = decodeComponent(part);
    if (decoded === undefined) return { ok: false, reason: 'malformed percent-encoding in the path' };
    if (CONTROL.test(decoded)) return { ok: false, reason: 'control characters in the path' };
    segments.push(decoded);
  }
  if (/[^\x21-\x7e]/.test(search)) return { ok: false, reason: 'the query has characters that must be percent-encoded' };
  if (/%(?![0-9A-Fa-f]{2})/.test(search)) return { ok: false, reason: 'malformed percent-encoding in the query' };
  return { ok: true, target: { path, segments, query: new URLSearchParams(search) } };
}

/** decodeURIComponent without the throw: undefined for a bad escape or invalid UTF-8 (a lone surrogate, %E0%A4%A). */
export function decodeComponent(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/**
 * Reads a request body of at most `max` bytes as UTF-8. A declared Content-Length over it is refused before
 * any byte is read; a body that grows past it is refused too, and the rest is read and dropped so the
 * answer reaches the client rather than a reset connection.
 */
export function readBody(req: http.IncomingMessage, max: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (Number.isFinite(declared) && declared > max) {
    req.resume();
    return Promise.reject(new HttpError(413, `request body over ${max} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        if (!over) reject(new HttpError(413, `request body over ${max} bytes`));
        over = true;
        chunks.length = 0;
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => reject(new HttpError(400, 'request body not received')));
    req.on('aborted', () => reject(new HttpError(400, 'request body not received')));
  });
}
