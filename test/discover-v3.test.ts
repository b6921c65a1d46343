import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { snmpCandidates, type DiscoverOptions } from '../agent/discover/command.ts';
import { siteFileSchema } from '../collector/config/schema.ts';
import { startSnmpd, type SnmpdServer } from './harness/index.ts';

/** `discover` with an SNMPv3 user against net-snmp's snmpd: the proposal names where the key is, never the key. */
const bin = fileURLToPath(new URL('../bin/hallmonitor-agent.js', import.meta.url));
const AUTH_KEY = `disc-${randomBytes(9).toString('base64url')}`;
const PRIV_KEY = `discp-${randomBytes(9).toString('base64url')}`;
const ENV = { auth: 'HM_DISCOVER_V3_AUTH', priv: 'HM_DISCOVER_V3_PRIV' };

function runDiscover(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, [ENV.auth]: AUTH_KEY, [ENV.priv]: PRIV_KEY };
    const child = spawn(process.execPath, [bin, 'discover', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const base: DiscoverOptions = { community: [], snmpVersion: '2c', port: 161, concurrency: 4, timeout: 1, retries: 0, ping: true, maxHosts: 16 };

describe('discover with an SNMPv3 user', () => {
  let snmpd: SnmpdServer;
  beforeAll(async () => {
    snmpd = await startSnmpd({ v3Users: [{ name: 'hm-disc', auth: 'SHA-256', authKey: AUTH_KEY, priv: 'AES', privKey: PRIV_KEY }] });
  });
  afterAll(async () => {
    await snmpd?.stop();
  });

  it('finds the device over authPriv and proposes it with the key references only', async () => {
    const { code, stdout, stderr } = await runDiscover([
      `${snmpd.host}/32`, '--port', String(snmpd.port), '--no-ping', '--timeout', '2',
      '--v3-user', 'hm-disc', '--v3-auth-protocol', 'sha256', '--v3-auth-key-env', ENV.auth,
      '--v3-priv-protocol', 'aes128', '--v3-priv-key-env', ENV.priv,
    ]);
    expect(stderr).toContain('1 devices proposed');
    expect(code).toBe(0);
    const devices = siteFileSchema.parse({ id: 'x', name: 'X', ...(parse(stdout) as object) }).devices;
    expect(devices).toHaveLength(1);
    expect(devices[0]!.checks.snmp).toMatchObject({ version: '3', user: 'hm-disc', level: 'authPriv', authProtocol: 'sha256', authKeyEnv: ENV.auth, privProtocol: 'aes128', privKeyEnv: ENV.priv });
    for (const text of [stdout, stderr]) {
      expect(text).not.toContain(AUTH_KEY);
      expect(text).not.toContain(PRIV_KEY);
    }
  });

  it('a wrong key finds nothing over SNMP (the host is then not proposed without ping)', async () => {
    const { code, stderr } = await runDiscover([
      `${snmpd.host}/32`, '--port', String(snmpd.port), '--no-ping', '--timeout', '1',
      '--v3-user', 'hm-disc', '--v3-auth-protocol', 'sha512', '--v3-auth-key-env', ENV.auth, '--v3-level', 'authNoPriv',
    ]);
    expect(code).toBe(0);
    expect(stderr).toContain('0 devices proposed');
  });
});

describe('snmpCandidates', () => {
  it('tries the communities first, then the v3 user; a v3 user alone tries no community', () => {
    const v3 = { v3User: 'u', v3AuthProtocol: 'sha', v3AuthKeyFile: '/etc/k' };
    expect(snmpCandidates({ ...base, community: ['school'], ...v3 }).map((c) => c.version)).toEqual(['2c', '3']);
    expect(snmpCandidates({ ...base, ...v3 }).map((c) => c.version)).toEqual(['3']);
    expect(snmpCandidates(base).map((c) => (c.version === '3' ? c.user : c.community))).toEqual(['public']);
  });
  it('names the command-line option that is wrong', () => {
    expect(() => snmpCandidates({ ...base, v3User: 'u', v3AuthProtocol: 'sha' })).toThrow(/--v3-auth-key-env: expected --v3-auth-key-env .* or --v3-auth-key-file/);
    expect(() => snmpCandidates({ ...base, v3User: 'u', v3AuthProtocol: 'sha', v3AuthKeyFile: 'rel/k' })).toThrow(/--v3-auth-key-file: an absolute path/);
  });
});
