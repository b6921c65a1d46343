import { connect as tlsConnect } from 'node:tls';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../agent/config/load.ts';
import { Link, brokerLinkOptions } from '../agent/publish/link.ts';
import { systemClock } from '../contract/clock.ts';
import { createLogger } from '../contract/index.ts';
import { repo, run } from './deploy-tools.ts';
import { COLLECTOR_BIN, runCollectorCli } from './external-broker/rig.ts';
import { freeTcpPort, makeTempDir, startInflux, startService, waitFor, type InfluxServer, type ServiceProcess, type TempDir } from './harness/index.ts';

/**
 * The documented install path end to end (docs/getting-started.md steps 1, 4 and 5): install-collector.sh
 * makes the private CA and the server certificate; the collector serves it on its TLS listener (no plain one);
 * `agent add --ca` prints the agent.yaml with the CA pinned; install-agent.sh installs that snippet as pasted,
 * CA included; and the agent, built from the installed agent.yaml, logs in over mqtts. Both installers run
 * under --root in temp dirs; the collector is the real program, the agent its real link code.
 */
let serverRoot: TempDir;
let schoolRoot: TempDir;
let work: TempDir;
let influx: InfluxServer;
let collector: ServiceProcess;
let tlsPort: number;
let snippet: string;
const tls = (...parts: string[]) => join(serverRoot.path, 'etc', 'hallmonitor', 'tls', ...parts);

beforeAll(async () => {
  serverRoot = makeTempDir('path-server');
  schoolRoot = makeTempDir('path-school');
  work = makeTempDir('path-collector');
  const installed = run('bash', [repo('deploy', 'install', 'install-collector.sh'), '--root', serverRoot.path, '--no-npm', '--tls-name', '127.0.0.1']);
  expect(installed.status, installed.stdout + installed.stderr).toBe(0);

  // The shipped example's broker section (no plain listener, TLS with the installer's files), on free loopback ports.
  influx = await startInflux();
  tlsPort = await freeTcpPort();
  mkdirSync(join(work.path, 'sites'));
  writeFileSync(join(work.path, 'sites', 'west.yaml'), stringify({ id: 'west', name: 'West Primary' }));
  writeFileSync(join(work.path, 'agents.yaml'), 'agents: []\n', { mode: 0o600 });
  const config = join(work.path, 'collector.yaml');
  writeFileSync(config, stringify({
    broker: { host: '127.0.0.1', plain: false, tls: { port: tlsPort, cert: tls('collector.pem'), key: tls('collector.key') } },
    influx: { url: influx.url, database: 'installpath' },
    logLevel: 'info',
  }));

  snippet = runCollectorCli(['agent', 'add', '--site', 'west', '--broker-url', `mqtts://127.0.0.1:${tlsPort}`, '--ca', tls('ca.pem'), '-c', config]);
  collector = await startService({
    name: 'collector',
    command: process.execPath,
    args: [COLLECTOR_BIN, 'run', '-c', config],
    dir: work.path,
    cwd: repo(),
    ready: () =>
      new Promise<boolean>((resolve) => {
        const socket = tlsConnect({ host: '127.0.0.1', port: tlsPort, rejectUnauthorized: false }, () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      }),
    readyWhat: 'the collector\'s TLS listener',
    readyTimeoutMs: 60_000,
  });
}, 300_000);

afterAll(async () => {
  await collector?.stop();
  await influx?.stop();
  for (const dir of [serverRoot, schoolRoot, work]) await dir?.remove();
});

describe('README install path: collector install → agent add --ca → agent install → mqtts with the pinned CA', () => {
  it('agent add prints an mqtts:// agent.yaml that carries the installer\'s CA', () => {
    expect(snippet).toContain(`url: mqtts://127.0.0.1:${tlsPort}`);
    expect(snippet).toContain('ca: hallmonitor-ca.pem');
    expect(snippet).toContain(`# ${readFileSync(tls('ca.pem'), 'utf8').split('\n')[1]}`);
  });

  it('install-agent.sh installs the pasted snippet with its CA, and the agent it configures logs in to the collector over TLS', async () => {
    const installed = run('bash', [repo('deploy', 'install', 'install-agent.sh'), '--root', schoolRoot.path, '--no-npm', '--config', '-'], { input: snippet });
    expect(installed.status, installed.stdout + installed.stderr).toBe(0);
    const file = join(schoolRoot.path, 'etc', 'hallmonitor', 'agent.yaml');
    const config = loadAgentConfig(file);
    expect(config.broker.caPem).toBe(readFileSync(tls('ca.pem'), 'utf8'));

    const lines: string[] = [];
    const log = createLogger('agent', 'debug', new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    }));
    const link = new Link({ ...brokerLinkOptions(config), version: 'test', startedAt: Date.now(), clock: systemClock, log, onConfig: () => {}, configRevision: () => undefined });
    try {
      await waitFor(() => link.connected, { timeoutMs: 15_000, what: `the agent to connect; its log:\n${lines.join('')}` });
      // The collector's side of the same login: authenticated as the agent agent add created, at its site.
      await waitFor(() => readFileSync(collector.logPath, 'utf8').split('\n').some((l) => l.includes('"agent connected"') && l.includes('"west-1"') && l.includes('"west"')), { timeoutMs: 10_000, what: 'the collector to log "agent connected" for west-1' });
    } finally {
      await link.close(500);
    }
  });
});
