import { execFile } from 'node:child_process';
import { release } from 'node:os';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pidAlive, snmpGetValue, startSnmpd, type SnmpdServer } from './index.ts';

describe('startSnmpd', () => {
  let snmpd: SnmpdServer;

  beforeAll(async () => {
    snmpd = await startSnmpd();
  });

  afterAll(async () => {
    await snmpd?.stop();
    if (snmpd) expect(pidAlive(snmpd.pid)).toBe(false);
  });

  it('answers as a live agent for this host', async () => {
    expect(snmpd.host).toBe('127.0.0.1');
    const upTime = await snmpGetValue(snmpd, '1.3.6.1.2.1.1.3.0');
    expect(upTime).toMatch(/^\d+:\d+:\d+:\d+\.\d+$/);
    expect(await snmpGetValue(snmpd, '1.3.6.1.2.1.1.1.0')).toContain(release());
    expect(Number(await snmpGetValue(snmpd, '1.3.6.1.2.1.2.1.0'))).toBeGreaterThanOrEqual(1);
  });

  it('ignores another community', async () => {
    await expect(
      snmpGetValue({ ...snmpd, community: 'public' }, '1.3.6.1.2.1.1.3.0', { timeoutMs: 300 }),
    ).rejects.toThrow(/Timeout/);
  });
});

describe('startSnmpd with v3 users', () => {
  let snmpd: SnmpdServer;
  const user = { name: 'hm-harness', auth: 'SHA-512', authKey: 'harness-auth-key', priv: 'AES-256', privKey: 'harness-priv-key' } as const;
  const get = (authKey: string) =>
    promisify(execFile)('snmpget', [
      '-v3', '-l', 'authPriv', '-u', user.name, '-a', user.auth, '-A', authKey, '-x', user.priv, '-X', user.privKey,
      '-t', '1', '-r', '0', '-m', '', '-Oqv', `udp:${snmpd.host}:${snmpd.port}`, '1.3.6.1.2.1.1.1.0',
    ]);

  beforeAll(async () => {
    snmpd = await startSnmpd({ v3Users: [user] });
  });
  afterAll(async () => {
    await snmpd?.stop();
  });

  it('answers the reference client with the user and keys it was given, and refuses a wrong key', async () => {
    expect((await get(user.authKey)).stdout).toContain(release());
    await expect(get('not-the-auth-key')).rejects.toThrow(/Authentication failure/);
  });
});
