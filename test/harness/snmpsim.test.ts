import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { pidAlive, recordingText, snmpGetValue, startSnmpsim, type SnmpsimServer } from './index.ts';

const SYS_DESCR = '1.3.6.1.2.1.1.1.0';
const IF_HC_IN_OCTETS_1 = '1.3.6.1.2.1.31.1.1.1.6.1';

describe('startSnmpsim', () => {
  let sim: SnmpsimServer;

  beforeAll(async () => {
    sim = await startSnmpsim({
      recordings: ['procurve_e2910', 'cyberpower_pr2200rt2uc'],
      extraFiles: {
        moving: [
          '1.3.6.1.2.1.1.3.0|67:numeric|initial=0,rate=100',
          `${IF_HC_IN_OCTETS_1}|70:numeric|initial=39857997,rate=1331560`,
        ].join('\n'),
      },
    });
  });

  afterAll(async () => {
    await sim?.stop();
    if (sim) expect(pidAlive(sim.pid)).toBe(false);
  });

  it('serves each recording under its own community on loopback', async () => {
    expect(sim.host).toBe('127.0.0.1');
    for (const name of ['procurve_e2910', 'cyberpower_pr2200rt2uc']) {
      const target = { host: sim.host, port: sim.port, community: name };
      expect(await snmpGetValue(target, SYS_DESCR)).toBe(recordingText(name, SYS_DESCR));
    }
    // The CyberPower sysDescr is hex-encoded (4x) in the file.
    expect(recordingText('cyberpower_pr2200rt2uc', SYS_DESCR)).toBe('UPS SNMP Card');
  });

  it('serves extra files whose counters move', async () => {
    const target = { host: sim.host, port: sim.port, community: 'moving' };
    const first = BigInt(await snmpGetValue(target, IF_HC_IN_OCTETS_1));
    await sleep(1_100);
    const second = BigInt(await snmpGetValue(target, IF_HC_IN_OCTETS_1));
    expect(second).toBeGreaterThan(first);
  });

  it('does not answer an unknown community', async () => {
    const target = { host: sim.host, port: sim.port, community: 'not-a-recording' };
    await expect(snmpGetValue(target, SYS_DESCR, { timeoutMs: 300 })).rejects.toThrow(/Timeout/);
  });
});
