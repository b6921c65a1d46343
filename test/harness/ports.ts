import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';

/**
 * Free ports come from the kernel (bind to port 0, read it back, close). A port handed out is remembered
 * so that two services started by one test file never get the same one; another process can still take
 * it between our close and the service's bind, which the service's start then reports.
 */
const handedOut = { tcp: new Set<number>(), udp: new Set<number>() };

const ATTEMPTS = 20;

function probeTcp(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function probeUdp(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.unref();
    socket.once('error', reject);
    socket.bind({ port: 0, address: host, exclusive: true }, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

async function fresh(kind: 'tcp' | 'udp', host: string): Promise<number> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const port = kind === 'tcp' ? await probeTcp(host) : await probeUdp(host);
    if (port > 0 && !handedOut[kind].has(port)) {
      handedOut[kind].add(port);
      return port;
    }
  }
  throw new Error(`no free ${kind} port on ${host} after ${ATTEMPTS} attempts`);
}

export function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  return fresh('tcp', host);
}

export function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  return fresh('udp', host);
}
