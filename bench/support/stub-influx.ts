import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubInflux {
  url: string;
  /** Bodies of the /write requests, if asked to keep them. */
  bodies: string[];
  close(): Promise<void>;
}

/**
 * Answers the collector's writer as influxd would (the database exists, every write 204) on a loopback
 * port, without storing anything: the writer's own cost, with InfluxDB's taken out.
 */
export async function startStubInflux(database: string, { keepBodies = false } = {}): Promise<StubInflux> {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => keepBodies && chunks.push(c));
    req.on('end', () => {
      if (req.url?.startsWith('/write')) {
        if (keepBodies) bodies.push(Buffer.concat(chunks).toString('utf8'));
        return res.writeHead(204).end();
      }
      const databases = { results: [{ statement_id: 0, series: [{ name: 'databases', columns: ['name'], values: [[database]] }] }] };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(databases));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
