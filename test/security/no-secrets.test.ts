import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAgent } from '../../collector/agents/store.ts';
import { loadCollectorConfig } from '../../collector/config/load.ts';
import { startCollector, type RunningCollector } from '../../collector/run.ts';
import { agentClientId, createLogger } from '../../contract/index.ts';
import {
  freeTcpPort,
  makeTempDir,
  recordingPath,
  spawnService,
  startInflux,
  startSnmpd,
  startSnmpsim,
  waitFor,
  type InfluxServer,
  type ServiceProcess,
  type SnmpdServer,
  type SnmpsimServer,
  type TempDir,
} from '../harness/index.ts';

/**
 * DESIGN invariant 4, "secrets never appear in logs", on a real run at trace level: the agent CLI polls
 * snmpsimd through the collector into InfluxDB (with credentials), while wrong logins are tried. Every line
 * of both logs is searched for every secret.
 */
const AGENT_BIN = fileURLToPath(new URL('../../bin/hallmonitor-agent.js', import.meta.url));
const SITE = 'secret-school';
const COMMUNITY = 'Comm7-snmp_secret-x';
const WRONG_COMMUNITY = 'Comm8-not_served-y';
const INFLUX = { username: 'hm-writer', password: 'Influx7-password_zz' };
const WRONG_PASSWORDS = ['Wrong7-agent_password-q', 'typed-into-username_Pw9'];
/** SNMPv3 keys: given to the agent in its environment and in a file, named (never written) in the site config. */
const V3 = { user: 'hm-secret-user', authKey: 'V3auth7-key_secret-a', privKey: 'V3priv7-key_secret-p', wrongAuthKey: 'V3wrong7-key_secret-w' };

let dir: TempDir;
let influx: InfluxServer | undefined;
let snmpsim: SnmpsimServer | undefined;
let snmpd: SnmpdServer | undefined;
let collector: RunningCollector | undefined;
const agents: ServiceProcess[] = [];
const collectorLog: string[] = [];
let agentPassword = '';
let passwordHash = '';
let brokerPort = 0;

beforeAll(async () => {
  dir = makeTempDir('hm-secrets-');
  [influx, snmpsim, snmpd] = await Promise.all([
    startInflux(),
    startSnmpsim({ recordings: [], extraFiles: { [COMMUNITY]: readFileSync(recordingPath('procurve_e2910'), 'utf8') } }),
    startSnmpd({ v3Users: [{ name: V3.user, auth: 'SHA-256', authKey: V3.authKey, priv: 'AES', privKey: V3.privKey }] }),
  ]);
  writeFileSync(join(dir.path, 'v3-wrong-auth.key'), `${V3.wrongAuthKey}\n`, { mode: 0o600 });
  brokerPort = await freeTcpPort();
  writeFileSync(join(dir.path, 'collector.yaml'), stringify({
    broker: { host: '127.0.0.1', port: brokerPort, loginBackoff: { baseMs: 10, maxMs: 50, quietMs: 1_000 } },
    influx: { url: influx.url, database: 'hm_secrets', flushIntervalMs: 200, ...INFLUX },
    logLevel: 'trace',
  }));
  const snmp = { intervalSeconds: 2, port: snmpsim.port, timeoutSeconds: 1, retries: 0 };
  const devices = [
    { name: 'core-switch', address: '127.0.0.1', role: 'core-switch', checks: { snmp: { ...snmp, community: COMMUNITY } } },
    { name: 'old-switch', address: '127.0.0.1', role: 'other', checks: { snmp: { ...snmp, community: WRONG_COMMUNITY } } },
    ...[
      { name: 'v3-switch', authKeyEnv: 'HM_TEST_V3_AUTH' },
      { name: 'v3-wrong-key', authKeyFile: join(dir.path, 'v3-wrong-auth.key') },
    ].map(({ name, ...authKey }) => ({
      name,
      address: '127.0.0.1',
      role: 'switch',
      checks: {
        snmp: { ...snmp, port: snmpd!.port, version: '3', user: V3.user, level: 'authPriv', authProtocol: 'sha256', ...authKey, privProtocol: 'aes128', privKeyEnv: 'HM_TEST_V3_PRIV' },
      },
    })),
  ];
  const sites = join(dir.path, 'sites');
  mkdirSync(sites);
  writeFileSync(join(sites, `${SITE}.yaml`), stringify({ id: SITE, name: 'Secret School', devices }));
  const issued = await addAgent(join(dir.path, 'agents.yaml'), { id: `${SITE}-1`, site: SITE });
  agentPassword = issued.password;
  passwordHash = issued.entry.passwordHash;

  const log = createLogger('collector', 'trace', new Writable({
    write(chunk: Buffer, _enc, done) {
      collectorLog.push(chunk.toString());
      done();
    },
  }));
  const config = loadCollectorConfig(join(dir.path, 'collector.yaml'));
  collector = await startCollector(config, log);
  agents.push(await spawnAgent('agent', agentPassword));
  await collector.storageReady;
});

afterAll(async () => {
  for (const agent of agents) await agent.stop();
  await collector?.stop();
  await Promise.allSettled([influx?.stop(), snmpsim?.stop(), snmpd?.stop()]);
  dir?.remove();
});

async function spawnAgent(name: string, password: string): Promise<ServiceProcess> {
  const file = join(dir.path, `${name}.yaml`);
  writeFileSync(file, stringify({
    agent: `${SITE}-1`,
    site: SITE,
    broker: { url: `mqtt://127.0.0.1:${brokerPort}`, password },
    dataDir: `${name}-data`,
    batch: { maxDelayMs: 200 },
    logLevel: 'trace',
  }));
  const env = { ...process.env, HM_TEST_V3_AUTH: V3.authKey, HM_TEST_V3_PRIV: V3.privKey };
  return spawnService({ name, command: process.execPath, args: [AGENT_BIN, 'run', '-c', file], dir: dir.path, env });
}

describe('no secret in any log line (DESIGN invariant 4)', () => {
  it('runs for real: samples reach InfluxDB, wrong logins are refused', async () => {
    await waitFor(
      async () => {
        const [result] = await influx!.query(`SELECT count(up) FROM snmp WHERE site='${SITE}' GROUP BY device`, 'hm_secrets');
        return (result?.series ?? []).length === 4;
      },
      { timeoutMs: 45_000, what: 'SNMP results of all four devices in InfluxDB', intervalMs: 500, service: agents[0]! },
    );
    const [v3] = await influx!.query(`SELECT last(up) AS up, last(error) AS error FROM snmp WHERE site='${SITE}' AND device =~ /^v3-/ GROUP BY device`, 'hm_secrets');
    const lastOf = (device: string) => v3?.series?.find((s) => s.tags?.device === device)?.values?.[0]?.slice(1);
    expect(lastOf('v3-switch')).toEqual([1, null]);
    expect(lastOf('v3-wrong-key')).toEqual([0, 'authentication failed: wrong digest (check authKey and authProtocol)']);
    const refused = (username: string, password: string) =>
      mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, { clientId: agentClientId(`${SITE}-1`), username, password, reconnectPeriod: 0, protocolVersion: 4 }).then(
        (client) => client.endAsync().then(() => 'connected'),
        (err: Error) => err.message,
      );
    expect(await refused(`${SITE}-1`, WRONG_PASSWORDS[0]!)).toMatch(/Bad username or password/);
    expect(await refused(WRONG_PASSWORDS[1]!, 'x')).toMatch(/Bad username or password/);
    // The agent CLI itself with a wrong password: it logs the refusal and keeps retrying.
    const wrongAgent = await spawnAgent('wrong-agent', WRONG_PASSWORDS[0]!);
    agents.push(wrongAgent);
    const refusals = () => wrongAgent.logTail(200).split('\n').filter((l) => l.includes('Bad username or password')).length;
    await waitFor(() => refusals() >= 2, { timeoutMs: 15_000, what: 'the wrong agent refused twice', service: wrongAgent });
    for (const agent of agents) await agent.stop();
    await collector!.stop();
    expect(collector!.broker.stats.authFailures).toBeGreaterThanOrEqual(3);
  });

  it('finds none of the agent password, its hash, the wrong passwords, the communities, the SNMPv3 keys or the InfluxDB password', () => {
    const agentLogs = agents.map((a) => readFileSync(a.logPath, 'utf8')).join('');
    const logs = { collector: collectorLog.join(''), agent: agentLogs };
    expect(logs.collector).toContain('"msg":"agent connected"');
    expect(logs.collector).toContain('"msg":"connection refused"');
    expect(logs.agent).toMatch(/"level":20/); // debug records were written (the agent has no trace ones)
    const secrets = { agentPassword, passwordHash, community: COMMUNITY, wrongCommunity: WRONG_COMMUNITY, influx: INFLUX.password, wrong0: WRONG_PASSWORDS[0]!, wrong1: WRONG_PASSWORDS[1]!, v3AuthKey: V3.authKey, v3PrivKey: V3.privKey, v3WrongAuthKey: V3.wrongAuthKey };
    const leaks: string[] = [];
    for (const [where, text] of Object.entries(logs)) {
      for (const [what, secret] of Object.entries(secrets)) {
        const line = text.split('\n').find((l) => l.includes(secret));
        if (line !== undefined) leaks.push(`${where} log shows ${what}: ${line.slice(0, 300)}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
