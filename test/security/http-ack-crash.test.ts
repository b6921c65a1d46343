import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, startHttpChild } from './raw-http.ts';

/**
 * Issue 11 item 1: one unauthenticated request ended the collector (an uncaught URIError from
 * decodeURIComponent, an uncaught TypeError from new URL). The endpoint runs in a process of its own here,
 * as in the collector, so a crash is a dead process, not a failed assertion.
 */
let child: ChildProcess;
let port: number;
let exited: () => boolean;
const TOKEN = 'http-child-api-token-0123456789abcdef';

beforeAll(async () => {
  ({ child, port, exited } = await startHttpChild());
});
afterAll(() => {
  child.kill();
});

const request = (line: string, headers: string[] = []) => rawRequest(port, `${line}\r\nHost: 127.0.0.1\r\n${headers.map((h) => `${h}\r\n`).join('')}Content-Length: 0\r\n\r\n`);

describe('the acknowledgement endpoint survives malformed request targets', () => {
  it('bad percent-encoding in the API path is a 400, with or without the token (was: uncaught URIError)', async () => {
    expect(await request('POST /api/alerts/%E0%A4%A/ack HTTP/1.1')).toBe(400);
    expect(await request('POST /api/alerts/%E0%A4%A/ack HTTP/1.1', [`Authorization: Bearer ${TOKEN}`])).toBe(400);
    expect(await request('POST /api/alerts/%ED%A0%80/ack HTTP/1.1', [`Authorization: Bearer ${TOKEN}`])).toBe(400); // a lone surrogate
    expect(await request('POST /api/alerts/%/ack HTTP/1.1', [`Authorization: Bearer ${TOKEN}`])).toBe(400);
    expect(exited()).toBe(false);
  });

  it('"GET //[" and other targets new URL() cannot read are a 400 (was: uncaught TypeError)', async () => {
    for (const target of ['//[', '//', '//evil.example/ack', '*', 'ack', '/ack/../ack', '/%00', '/ack?a=%', 'http://[/ack', '/a%2']) {
      expect([target, await request(`GET ${target} HTTP/1.1`)]).toEqual([target, 400]);
    }
    expect(exited()).toBe(false);
  });

  it('CONNECT and Upgrade requests are refused with an answer, not a dropped socket', async () => {
    expect(await request('CONNECT 127.0.0.1:22 HTTP/1.1')).toBe(405);
    expect(await request('GET /ack HTTP/1.1', ['Connection: Upgrade', 'Upgrade: websocket'])).toBe(400);
    expect(exited()).toBe(false);
  });

  it('a handler error is a 500 and the next request is served', async () => {
    expect(await request(`POST /api/alerts/x1/ack HTTP/1.1`, [`Authorization: Bearer ${TOKEN}`])).toBe(500);
    expect(await request(`POST /api/alerts/a1/ack HTTP/1.1`, [`Authorization: Bearer ${TOKEN}`])).toBe(404);
    expect(await request(`POST /api/alerts/north%2Fsite-offline/ack HTTP/1.1`, [`Authorization: Bearer ${TOKEN}`])).toBe(404);
  });

  it('oversized headers are a 431 and an oversized body a 413', async () => {
    expect(await request('GET /ack HTTP/1.1', [`X-Pad: ${'a'.repeat(20_000)}`])).toBe(431);
    const body = 'a='.padEnd(100_000, 'b');
    expect(await rawRequest(port, `POST /ack HTTP/1.1\r\nHost: h\r\nContent-Length: ${body.length}\r\n\r\n${body}`)).toBe(413);
    expect(await rawRequest(port, `POST /ack HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999\r\n\r\n`)).toBe(413);
    expect(exited()).toBe(false);
  });
});
