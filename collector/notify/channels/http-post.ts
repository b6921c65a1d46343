import type { DeliveryResult } from '../notification.ts';

/** Where a webhook channel posts: its id, its URL (a secret) and how to keep that secret out of reasons. */
export interface WebhookTarget {
  id: string;
  url: string;
  timeoutMs: number;
  scrub: (text: string) => string;
}

export interface PostOptions {
  /** Extra headers (signature, the receiver's own key). */
  headers?: Record<string, string>;
  timeoutMs: number;
  /** Applied to every reason: removes the URL's token and any other secret. */
  scrub: (text: string) => string;
}

/** "https://hooks.slack.com": where a request went, without the path and query that hold the token. */
export function originOf(url: string): string {
  return new URL(url).origin;
}

/** RFC 9110 §10.2.3: Retry-After is either seconds or an HTTP date. */
function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Classifies an HTTP answer (RFC 9110 §15): 2xx delivered; 408 (timeout), 429 (too many requests) and 5xx
 * are the receiver's trouble of the moment, so retryable; any other 4xx means this request will never be
 * accepted (bad URL, revoked token, bad payload), so final; a redirect is final too, since a webhook URL
 * that moved must be fixed in collector.yaml.
 */
export function classifyHttpStatus(status: number): { ok: true } | { ok: false; retryable: boolean } {
  if (status >= 200 && status < 300) return { ok: true };
  return { ok: false, retryable: status === 408 || status === 429 || status >= 500 };
}

/** Why a fetch threw: timeout, or the network error code (ECONNREFUSED, ENOTFOUND, ...), never the URL. */
function networkReason(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no answer within ${timeoutMs / 1000} s`;
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : err instanceof Error ? err.name : 'error';
  return `not reachable (${code})`;
}

/**
 * POSTs a JSON body with global fetch and a timeout, and answers as a channel does: never rejects, and a
 * reason that names the receiver's origin, the status and the first words of its answer, but no secret.
 */
export async function postJson(url: string, body: string, options: PostOptions, now: () => number = Date.now): Promise<DeliveryResult> {
  const where = originOf(url);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'hallmonitor', ...options.headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (err) {
    return { ok: false, retryable: true, reason: options.scrub(`${where}: ${networkReason(err, options.timeoutMs)}`) };
  }
  const verdict = classifyHttpStatus(response.status);
  let said = '';
  try {
    said = (await response.text()).replace(/\s+/g, ' ').trim().slice(0, 200);
  } catch {
    // The status is what counts; a body cut short changes nothing.
  }
  if (verdict.ok) return verdict;
  const reason = options.scrub(`${where}: HTTP ${response.status}${said ? `: ${said}` : ''}`);
  const wait = retryAfterMs(response.headers.get('retry-after'), now());
  return { ok: false, retryable: verdict.retryable, reason, ...(verdict.retryable && wait !== undefined ? { retryAfterMs: wait } : {}) };
}
