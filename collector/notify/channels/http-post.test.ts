import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freeTcpPort } from '../../../test/harness/index.ts';
import { scrubber } from '../secrets.ts';
import { startHttpReceiver, type HttpReceiver } from '../testing/http-receiver.ts';
import { classifyHttpStatus, postJson } from './http-post.ts';

describe('classifyHttpStatus (RFC 9110 §15)', () => {
  it.each([
    [200, { ok: true }],
    [202, { ok: true }],
    [301, { ok: false, retryable: false }],
    [400, { ok: false, retryable: false }],
    [401, { ok: false, retryable: false }],
    [404, { ok: false, retryable: false }],
    [408, { ok: false, retryable: true }],
    [410, { ok: false, retryable: false }],
    [429, { ok: false, retryable: true }],
    [500, { ok: false, retryable: true }],
    [503, { ok: false, retryable: true }],
  ])('%i → %o', (status, verdict) => expect(classifyHttpStatus(status)).toEqual(verdict));
});

describe('postJson against a real HTTP server', () => {
  let receiver: HttpReceiver;
  const scrub = scrubber(['secret-token-in-path']);
  beforeEach(async () => {
    receiver = await startHttpReceiver({ port: await freeTcpPort() });
  });
  afterEach(() => receiver.stop());
  const url = () => `${receiver.url}/hook/secret-token-in-path`;

  it('429 is retryable and passes on Retry-After', async () => {
    receiver.failNext(1, 429);
    expect(await postJson(url(), '{}', { timeoutMs: 5_000, scrub })).toEqual({ ok: false, retryable: true, reason: `${receiver.url}: HTTP 429: refused by test`, retryAfterMs: 1_000 });
  });

  it('a receiver that never answers is a retryable timeout', async () => {
    receiver.hang();
    const result = await postJson(url(), '{}', { timeoutMs: 300, scrub });
    expect(result).toEqual({ ok: false, retryable: true, reason: `${receiver.url}: no answer within 0.3 s` });
    receiver.accept();
  });

  it('names the origin in a reason, never the path that holds the token', async () => {
    await receiver.stop();
    const result = await postJson(url(), '{}', { timeoutMs: 5_000, scrub });
    expect(result).toEqual({ ok: false, retryable: true, reason: `${receiver.url}: not reachable (ECONNREFUSED)` });
  });
});
