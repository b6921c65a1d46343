import { release } from 'node:os';
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
