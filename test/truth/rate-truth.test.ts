import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, deviceSchema, type Device, type Sample } from '../../contract/index.ts';
import type { CheckContext } from '../../agent/checks/check.ts';
import { createSnmpCheck } from '../../agent/checks/snmp/snmp-check.ts';
import { createTestNet, snmpGetValue, startSnmpd, waitFor, type SnmpdServer, type TestNet } from '../harness/index.ts';

/**
 * Truth of the interface rates (issue 3, item 5): known traffic crosses a veth pair into a namespace
 * the test creates, net-snmp's snmpd reports this host's interfaces, and the agent's real SNMP check polls
 * it before and after. The rate it reports must be within 2 % of the bytes sent over the time between
 * the polls, counted as the interface counts them, and match the kernel's own counter
 * (/sys/class/net/<if>/statistics/tx_bytes, the independent truth snmpd reads too).
 *
 * What the interface counts per UDP datagram of P payload bytes on a veth: P + 8 (UDP) + 20 (IPv4) + 14
 * (Ethernet header; no FCS or preamble on a virtual link). IPv6 is off on the link (no router or MLD
 * chatter); the first datagram adds one 42-byte ARP request.
 *
 * snmpd caches the interface table for a few seconds, so the test waits, before each poll, until snmpd's
 * ifHCOutOctets equals the kernel's: each poll then reads the counter as it stands, and the traffic is all
 * between the two. Root only (namespaces); ~10 s.
 */
const PAYLOAD = 1_000;
const DATAGRAMS = 20_000;
const ON_WIRE = PAYLOAD + 8 + 20 + 14;
const IF_HC_OUT_OCTETS = '1.3.6.1.2.1.31.1.1.1.10';

describe.runIf(process.getuid?.() === 0)('interface rate truth: known traffic over a veth, read through snmpd', () => {
  let net: TestNet;
  let snmpd: SnmpdServer;
  beforeAll(async () => {
    net = await createTestNet({ hosts: 1 });
    snmpd = await startSnmpd();
  });
  afterAll(async () => {
    await snmpd?.stop();
    await net?.remove();
  });

  it('reports out_bps within 2 % of the bytes sent / time, and equal to the kernel counter over the same time', async () => {
    const ifIndex = Number(readFileSync(`/sys/class/net/${net.hostInterface}/ifindex`, 'utf8'));
    const kernelTx = () => BigInt(readFileSync(`/sys/class/net/${net.hostInterface}/statistics/tx_bytes`, 'utf8').trim());
    const snmpdCaughtUp = async () => BigInt(await snmpGetValue(snmpd, `${IF_HC_OUT_OCTETS}.${ifIndex}`)) === kernelTx();
    const check = createSnmpCheck();
    const device: Device = deviceSchema.parse({
      name: 'this-host',
      address: snmpd.host,
      checks: { snmp: { port: snmpd.port, community: snmpd.community, timeoutSeconds: 2 } },
    });
    const ctx: CheckContext = { now: () => Date.now(), log: createLogger('rate-truth', 'silent') };
    const poll = async (): Promise<Sample> => {
      await waitFor(snmpdCaughtUp, { timeoutMs: 20_000, intervalMs: 200, what: `snmpd to report ${net.hostInterface}'s counter` });
      const samples = await check.run(device, device.checks.snmp!, ctx);
      const sample = samples.find((s) => s.measurement === 'interface' && s.tags.if_index === String(ifIndex));
      if (sample === undefined) throw new Error(`no interface sample for ifIndex ${ifIndex}: ${JSON.stringify(samples[0])}`);
      return sample;
    };

    const first = await poll();
    const kernelBefore = kernelTx();
    const socket = dgram.createSocket('udp4');
    const payload = Buffer.alloc(PAYLOAD, 0x5a);
    try {
      for (let i = 0; i < DATAGRAMS; i++) {
        await new Promise<void>((resolve, reject) => socket.send(payload, 9, net.addresses[0], (error) => (error ? reject(error) : resolve())));
      }
    } finally {
      socket.close();
    }
    await sleep(200); // let the last datagrams leave the queue before the kernel's count is taken
    const second = await poll();
    const kernelDelta = kernelTx() - kernelBefore;

    const seconds = (second.time - first.time) / 1000;
    const sentBytes = DATAGRAMS * ON_WIRE;
    const measured = second.fields.out_bps as number;
    expect(first.fields.out_bps).toBeUndefined(); // first poll: no rate yet
    expect(typeof measured).toBe('number');
    expect(Math.abs(measured / ((sentBytes * 8) / seconds) - 1)).toBeLessThan(0.02);
    // The kernel counted exactly what we sent plus at most an ARP exchange.
    expect(Number(kernelDelta) - sentBytes).toBeGreaterThanOrEqual(0);
    expect(Number(kernelDelta) - sentBytes).toBeLessThanOrEqual(2 * 42);
    expect(Math.abs(measured / ((Number(kernelDelta) * 8) / seconds) - 1)).toBeLessThan(1e-9);
    expect(second.fields.out_octets! as number).toBe(Number(kernelTx()));
  });
});
