import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpStatus } from './influx-client.ts';
import { createLinePoster } from './line-post.ts';
import { classifyWriteError } from './write-errors.ts';

interface Seen {
  url: string;
  authorization: string | undefined;
  length: string | undefined;
  body: string;
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

/** A stand-in for influxd's /write that records each request and answers as told. */
async function stub(answer: (seen: Seen) => [number, string] | 'hang'): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { url: req.url ?? '', authorization: req.headers.authorization, length: req.headers['content-length'], body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      const a = answer(s);
      if (a !== 'hang') res.writeHead(a[0], { 'content-type': 'application/json' }).end(a[1]);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('createLinePoster', () => {
  it('POSTs the chunks joined by "\\n" to <path>/write with precision=ms, and basic auth from the URL', async () => {
    const { url, seen } = await stub(() => [204, '']);
    const [scheme, rest] = url.split('//');
    const poster = createLinePoster({ url: `${scheme}//writer:p%40ss@${rest}/influx/`, database: 'school data', sockets: 2 });
    await poster.post(['m v=1 1', 'm v=2 2\nm v=3 3', 'ü s="é" 4']);
    poster.close();
    expect(seen).toEqual([
      {
        url: '/influx/write?db=school+data&precision=ms',
        authorization: `Basic ${Buffer.from('writer:p@ss').toString('base64')}`,
        length: String(Buffer.byteLength('m v=1 1\nm v=2 2\nm v=3 3\nü s="é" 4')),
        body: 'm v=1 1\nm v=2 2\nm v=3 3\nü s="é" 4',
      },
    ]);
  });

  it('takes credentials from the options before the URL, and sends none when there are none', async () => {
    const { url, seen } = await stub(() => [204, '']);
    const withAuth = createLinePoster({ url, database: 'd', username: 'u', password: 'secret', sockets: 1 });
    const without = createLinePoster({ url, database: 'd', sockets: 1 });
    await withAuth.post(['m v=1 1']);
    await without.post(['m v=1 1']);
    withAuth.close();
    without.close();
    expect(seen.map((s) => s.authorization)).toEqual([`Basic ${Buffer.from('u:secret').toString('base64')}`, undefined]);
  });

  it('fails with the status and body the write classifier reads, and no credentials in the message', async () => {
    const body = '{"error":"partial write: field type conflict dropped=2"}';
    const { url } = await stub(() => [400, body]);
    const poster = createLinePoster({ url, database: 'd', username: 'u', password: 'secret', sockets: 1 });
    const err = (await poster.post(['m v=1 1']).then(() => new Error('answered 2xx'), (e: unknown) => e)) as Error;
    poster.close();
    expect(httpStatus(err)).toBe(400);
    expect(classifyWriteError(err)).toMatchObject({ kind: 'refused', dropped: 2 });
    expect(err.message).not.toContain('secret');
  });

  it('gives up on a request that gets no answer within the timeout, and on abort', async () => {
    const { url } = await stub(() => 'hang');
    const poster = createLinePoster({ url, database: 'd', requestTimeoutMs: 100, sockets: 2 });
    await expect(poster.post(['m v=1 1'])).rejects.toThrow('no answer from InfluxDB within 100 ms');
    const halt = new AbortController();
    const posting = poster.post(['m v=1 1'], halt.signal);
    halt.abort();
    await expect(posting).rejects.toThrow(/abort/i);
    poster.close();
    expect(classifyWriteError(new Error('no answer from InfluxDB within 100 ms')).kind).toBe('retry');
  });
});
