import { describe, expect, it } from 'vitest';
import { displayUrl } from './influx-client.ts';
import { classifyWriteError } from './write-errors.ts';

describe('displayUrl', () => {
  it('drops user name and password, keeps host, port and path', () => {
    expect(displayUrl('http://admin:s3cret@influx.example.net:8086/')).toBe('http://influx.example.net:8086');
    expect(displayUrl('https://influx.example.net/proxy/influx')).toBe('https://influx.example.net/proxy/influx');
  });
});

/** The shape of the library's RequestError: a message with the body, and the response. */
const httpError = (statusCode: number, body: string) =>
  Object.assign(new Error(`A ${statusCode} error occurred: ${body}`), { res: { statusCode } });

describe('classifyWriteError', () => {
  it('retries what may pass later: network errors, 5xx, timeouts, refused credentials', () => {
    expect(classifyWriteError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8086'), { code: 'ECONNREFUSED' })).kind).toBe('retry');
    expect(classifyWriteError(new Error('Service Unavailable')).kind).toBe('retry');
    expect(classifyWriteError(httpError(401, '{"error":"authorization failed"}')).kind).toBe('retry');
  });

  it("takes InfluxDB's own count of points it refused for good", () => {
    const body = '{"error":"partial write: field type conflict: input field \\"f\\" on measurement \\"m\\" is type string, already exists as type float dropped=3"}';
    expect(classifyWriteError(httpError(400, body))).toMatchObject({ kind: 'refused', dropped: 3 });
  });

  it('recognises a missing database and a body too large', () => {
    expect(classifyWriteError(httpError(404, '{"error":"database not found: \\"x\\""}')).kind).toBe('no-database');
    expect(classifyWriteError(httpError(413, '{"error":"Request Entity Too Large"}')).kind).toBe('too-large');
  });
});
