import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgent } from '../../collector/agents/store.ts';
import { makeTempDir, type TempDir } from '../harness/index.ts';
import { connectPacket, encode, rawClient, startBrokerChild, type BrokerChild } from './mqtt-wire.ts';

/**
 * Issue 11 item 6, its last part: ~22,000 idle sockets took every descriptor and a real agent's connection was
 * closed. The connection cap leaves room for every registered agent (checked at start), and at the cap a
 * socket that has not logged in gives way, so strangers can fill the cap and a registered agent still gets in.
 */
let b: BrokerChild;
let dir: TempDir;
const CAP = 40;

beforeAll(async () => {
  // The before-login pool (512) is larger than the cap here: only the total cap stands in the way.
  b = await startBrokerChild({ connections: { maxConnections: CAP, maxUnauthenticatedPerAddress: 16, connectBurst: 40, connectPerSecond: 20 } });
  dir = makeTempDir('hm-headroom-');
});
afterAll(() => {
  b?.stop();
  dir?.remove();
});

describe('headroom for registered agents', () => {
  it('strangers\' idle sockets fill the connection cap; registered agents still log in and publish', async () => {
    const sockets: Socket[] = [];
    for (let a = 0; a < 10; a++) {
      for (let i = 0; i < 12; i++) {
        const s = connect({ port: b.port, host: '127.0.0.1', localAddress: `127.0.3.${a + 1}` });
        s.on('error', () => undefined);
        sockets.push(s);
      }
    }
    await new Promise((r) => setTimeout(r, 1_000));
    const held = (await b.snapshot()).stats;
    console.log(`120 idle sockets against a cap of ${CAP}: broker holds ${held.total} (${held.unauthenticated} before login); refused or evicted ${held.connectionsRefused}`);
    expect(held.total).toBe(CAP);
    // Before: at the cap every newcomer was refused ("connection limit"), the agents too.
    for (const who of [b.creds.north1, b.creds.south1]) {
      const agent = await rawClient(b.port);
      agent.write(connectPacket(who));
      expect(await agent.next('connack')).toMatchObject({ returnCode: 0 });
      agent.write(encode({ cmd: 'publish', topic: `hallmonitor/v1/${who.site}/samples`, payload: '{}', qos: 1, messageId: 3 }));
      expect(await agent.next('puback')).toMatchObject({ messageId: 3 });
      sockets.push(agent.socket);
    }
    const after = (await b.snapshot()).stats;
    expect(after.total).toBeLessThanOrEqual(CAP);
    expect(b.exited()).toBe(false);
    for (const s of sockets) s.destroy();
  });

  it('refuses to start, in one line and with exit 2, when the descriptor limit cannot hold the registered agents', async () => {
    mkdirSync(join(dir.path, 'sites'));
    mkdirSync(join(dir.path, 'data'));
    writeFileSync(join(dir.path, 'sites', 'north.yaml'), stringify({ id: 'north', name: 'North' }));
    const agentsFile = join(dir.path, 'agents.yaml');
    for (let i = 0; i < 60; i++) await addAgent(agentsFile, { id: `north-${i}`, site: 'north' }, { scrypt: { N: 1024, r: 8, p: 1 } });
    const config = join(dir.path, 'collector.yaml');
    writeFileSync(
      config,
      stringify({ broker: { host: '127.0.0.1', port: 0 }, influx: { url: 'http://127.0.0.1:9' }, agentsFile, sitesDir: join(dir.path, 'sites'), dataDir: join(dir.path, 'data') }),
    );
    const bin = fileURLToPath(new URL('../../bin/hallmonitor-collector.js', import.meta.url));
    // 300 descriptors: 256 are kept for files and InfluxDB, 44 connections cannot hold 60 agents.
    const run = spawnSync('prlimit', ['--nofile=300:300', process.execPath, bin, 'run', '-c', config], { encoding: 'utf8', timeout: 60_000 });
    const errors = run.stderr.split('\n').filter((l) => l.includes('cannot hold'));
    console.log(`collector under 300 descriptors with 60 agents: exit ${run.status}; ${errors[0]}`);
    expect(run.status).toBe(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/broker: 44 connections \(descriptor limit 300\) cannot hold 60 registered agents/);
  });
});
