import { Agent, request } from 'node:http';

/**
 * The reference: prepared line-protocol bodies POSTed straight to influxd's /write by `writers` concurrent
 * keep-alive connections, each taking the next body when its previous one was answered.
 */
export async function postBodies(url: string, database: string, bodies: readonly string[], writers: number, retentionPolicy?: string): Promise<void> {
  const target = new URL(url);
  const path = `/write?${new URLSearchParams({ db: database, precision: 'ms', ...(retentionPolicy !== undefined ? { rp: retentionPolicy } : {}) })}`;
  const agent = new Agent({ keepAlive: true, maxSockets: writers });
  let next = 0;
  const post = (body: string) =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        { host: target.hostname, port: target.port, path, method: 'POST', agent, headers: { 'content-length': Buffer.byteLength(body) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            res.statusCode === 204
              ? resolve()
              : reject(new Error(`influxd /write ${database}: HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 200)}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const worker = async () => {
    while (next < bodies.length) await post(bodies[next++]!);
  };
  try {
    await Promise.all(Array.from({ length: writers }, worker));
  } finally {
    agent.destroy();
  }
}
