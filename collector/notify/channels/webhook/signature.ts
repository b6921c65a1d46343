import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Hallmonitor-Signature';
export const TIMESTAMP_HEADER = 'X-Hallmonitor-Timestamp';

/** "sha256=<hex HMAC-SHA256 of the body>" (the form GitHub's webhooks use), over the exact bytes sent. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** For receivers (and tests): does the header match the body? Constant-time, so it leaks nothing by timing. */
export function verifyBody(secret: string, body: string, header: string | undefined): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
