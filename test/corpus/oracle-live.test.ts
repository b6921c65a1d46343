import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckContext } from '../../agent/checks/check.ts';
import { createSnmpCheck } from '../../agent/checks/snmp/snmp-check.ts';
import { createLogger, deviceSchema, sampleSchema, snmpCheckSchema, type Sample } from '../../contract/index.ts';
import { CORPUS_DIR, startSnmpsim, type SnmpsimServer } from '../harness/index.ts';
import { pollRecording } from './oracle-poll.ts';

/**
 * The real path for a sample of the corpus: snmpsimd serves the recordings over UDP and the agent's SNMP
 * check polls them as it polls a school's devices. What it finds must be what the in-process pass
 * (oracle.test.ts, through the session seam) finds: same class, evidence, vendor, model, measurements.
 */
const SAMPLE = [
  'arubaos-cx_10.07',
  'brother_hl5370dw',
  'cxc_ups',
  'apc_smt750x-nmc2',
  'lcos_oap-321',
  'pfsense_frr-bgp',
  'bison',
  'smartax',
  'sophos-xg',
  'geist-watchdog',
  'dsm',
  'axiscam',
  // PDU phases and banks, CyberPower's ePDU, Cisco's own CPU object (issue 13).
  'apc_ap8853',
  'cyberpower_pdu81005',
  'ios_c3560',
];

const ctx: CheckContext = { now: () => Date.now(), log: createLogger('corpus-live', 'silent') };
const series = (samples: readonly Sample[]) => [...new Set(samples.filter((s) => s.measurement !== 'snmp' && s.measurement !== 'device_info').map((s) => s.measurement))].sort();

describe('a sample of the corpus through snmpsimd and the real SNMP check', () => {
  let sim: SnmpsimServer;
  const live = new Map<string, Sample[]>();

  beforeAll(async () => {
    const files = Object.fromEntries(SAMPLE.map((name) => [name.replace(/[^A-Za-z0-9_-]/g, '_'), readFileSync(`${CORPUS_DIR}/recordings/${name}.snmprec`, 'utf8')]));
    sim = await startSnmpsim({ recordings: [], extraFiles: files, requestLog: false, readyTimeoutMs: 60_000 });
    const check = createSnmpCheck();
    for (const name of SAMPLE) {
      const device = deviceSchema.parse({ name: name.replace(/[^A-Za-z0-9_.-]/g, '-'), address: sim.host });
      const config = snmpCheckSchema.parse({ community: name.replace(/[^A-Za-z0-9_-]/g, '_'), port: sim.port, timeoutSeconds: 2, retries: 1 });
      live.set(name, await check.run(device, config, ctx));
    }
  }, 120_000);
  afterAll(async () => {
    await sim?.stop();
  });

  it.each(SAMPLE)('%s: the same class, evidence, vendor, model and measurements as in-process', async (name) => {
    const samples = live.get(name)!;
    for (const s of samples) expect(sampleSchema.safeParse(s).error, `${s.measurement}`).toBeUndefined();
    expect(samples.find((s) => s.measurement === 'snmp')?.fields.up).toBe(1);
    const info = samples.find((s) => s.measurement === 'device_info')!;
    const local = await pollRecording(name);
    const c = local.detection.classification;
    expect({ class: info.tags.class, vendor: info.tags.vendor, model: info.tags.model, evidence: info.fields.class_evidence }).toEqual({
      class: c.class,
      vendor: c.vendor,
      model: c.model,
      evidence: c.evidence,
    });
    expect(series(samples)).toEqual(series(local.samples));
  });
});
