import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnmpCheck } from '../../agent/checks/snmp/snmp-check.ts';
import type { CheckContext } from '../../agent/checks/check.ts';
import { createLogger, deviceSchema, sampleSchema, snmpCheckSchema, type Sample } from '../../contract/index.ts';
import { RECORDINGS_DIR, startSnmpsim, type SnmpsimServer } from '../harness/index.ts';
import { EXPECTED_CLASSES } from './classes.ts';
import { expectedHostResources, expectedInterfaceCount, expectedPrinters, expectedSupplies, expectedUps, expectedWirelessClients } from './from-recording.ts';

/**
 * The whole corpus: every recording in ../shared/snmprec polled twice (first poll probes and
 * classifies, second uses the cached decision) by the real SNMP check through snmpsimd, and compared with
 * what the recording file itself holds.
 */
const RECORDINGS = readdirSync(RECORDINGS_DIR)
  .filter((f) => f.endsWith('.snmprec'))
  .map((f) => f.slice(0, -'.snmprec'.length))
  .sort();

const ctx: CheckContext = { now: () => Date.now(), log: createLogger('corpus', 'silent') };
const only = (samples: Sample[], measurement: string) => samples.filter((s) => s.measurement === measurement);

describe('the whole recording corpus', () => {
  let sim: SnmpsimServer;
  const polls = new Map<string, Sample[][]>();

  beforeAll(async () => {
    sim = await startSnmpsim({ recordings: RECORDINGS, requestLog: false, readyTimeoutMs: 90_000 });
    const check = createSnmpCheck();
    for (const name of RECORDINGS) {
      const device = deviceSchema.parse({ name: name.replace(/[^A-Za-z0-9_.-]/g, '-'), address: sim.host });
      const config = snmpCheckSchema.parse({ community: name, port: sim.port, timeoutSeconds: 2, retries: 1, intervalSeconds: 30 });
      // No recording may make the check throw: a rejection fails the whole suite here.
      polls.set(name, [await check.run(device, config, ctx), await check.run(device, config, ctx)]);
    }
  }, 120_000);
  afterAll(async () => {
    await sim?.stop();
  });

  it('has all 29 recordings and a classification for each', () => {
    expect(RECORDINGS).toHaveLength(29);
    expect(Object.keys(EXPECTED_CLASSES).sort()).toEqual(RECORDINGS);
  });

  describe.each(RECORDINGS)('%s', (name) => {
    const poll = (n: 0 | 1): Sample[] => polls.get(name)?.[n] ?? [];

    it('answers, with only valid samples and no error', () => {
      for (const samples of [poll(0), poll(1)]) {
        for (const s of samples) expect(sampleSchema.safeParse(s).error, `${s.measurement} ${JSON.stringify(s.tags)}`).toBeUndefined();
        const snmp = only(samples, 'snmp')[0]!;
        expect(snmp.fields).toMatchObject({ up: 1 });
        expect(snmp.fields.error).toBeUndefined();
        for (const s of samples) expect(s.fields.error, `${s.measurement} ${JSON.stringify(s.tags)}`).toBeUndefined();
      }
      // The second poll reuses the first one's decision: the same measurements and series.
      const series = (samples: Sample[]) => samples.map((s) => `${s.measurement} ${JSON.stringify(s.tags)}`).sort();
      expect(series(poll(1))).toEqual(series(poll(0)));
    });

    it('is classified as the tech would', () => {
      const info = only(poll(0), 'device_info')[0]!;
      const expected = EXPECTED_CLASSES[name]!;
      expect({ class: info.tags.class, vendor: info.tags.vendor, model: info.tags.model }).toEqual(expected);
      for (const s of poll(0)) expect(s.tags).toMatchObject({ class: expected.class, vendor: expected.vendor });
    });

    it('finds every interface of the recording', () => {
      const snmp = only(poll(0), 'snmp')[0]!;
      expect(snmp.fields.interfaces).toBe(expectedInterfaceCount(name));
    });

    it('printer supplies and levels per RFC 3805', () => {
      const expected = expectedSupplies(name);
      const got = only(poll(0), 'printer_supply');
      expect(got).toHaveLength(expected.length);
      for (const supply of expected) {
        const s = got.find((g) => g.tags.supply_index === supply.index);
        expect(s, `supply ${supply.index}`).toBeDefined();
        if (supply.description !== undefined) expect(s!.tags.supply).toBe(supply.description);
        expect(s!.fields.level_state).toBe(supply.state);
        if (supply.levelPct === undefined) expect(s!.fields.level_pct).toBeUndefined();
        else expect(s!.fields.level_pct).toBeCloseTo(supply.levelPct, 9);
      }
    });

    it('printer status and paper-out/jam bits', () => {
      const expected = expectedPrinters(name);
      const got = only(poll(0), 'printer');
      expect(got.map((s) => s.tags.printer_index)).toEqual(expected.map((p) => p.index));
      for (const p of expected) {
        const f = got.find((s) => s.tags.printer_index === p.index)!.fields;
        expect({ device_status: f.device_status, no_paper: f.no_paper, jammed: f.jammed }).toEqual({ device_status: p.deviceStatus, no_paper: p.noPaper, jammed: p.jammed });
      }
    });

    it('UPS fields', () => {
      const expected = expectedUps(name);
      const got = only(poll(0), 'ups');
      if (expected === undefined) {
        expect(got).toEqual([]);
        return;
      }
      expect(got).toHaveLength(1);
      const f = got[0]!.fields;
      expect({ on_battery: f.on_battery, battery_pct: f.battery_pct, runtime_min: f.runtime_min, load_pct: f.load_pct, input_voltage_v: f.input_voltage_v }).toEqual({
        on_battery: expected.onBattery,
        battery_pct: expected.batteryPct,
        runtime_min: expected.runtimeMin,
        load_pct: expected.loadPct,
        input_voltage_v: expected.inputVoltage,
      });
    });

    it('host resources: a load per processor, used % per storage row, memory in use', () => {
      const expected = expectedHostResources(name);
      const host = only(poll(0), 'host')[0];
      if (expected.memoryPct === undefined) expect(host?.fields.memory_used_pct).toBeUndefined();
      else expect(host?.fields.memory_used_pct).toBeCloseTo(expected.memoryPct, 9);
      expect(only(poll(0), 'host_cpu')).toHaveLength(expected.processors);
      const storage = only(poll(0), 'host_storage');
      expect(storage).toHaveLength(expected.storage.size);
      for (const [index, pct] of expected.storage) {
        const s = storage.find((g) => g.tags.storage_index === index);
        if (pct === undefined) expect(s?.fields.used_pct).toBeUndefined();
        else expect(s?.fields.used_pct).toBeCloseTo(pct, 9);
      }
    });

    it('wireless clients', () => {
      const snmp = only(poll(0), 'snmp')[0]!;
      expect(snmp.fields.wireless_clients).toBe(expectedWirelessClients(name));
      const perRadio = only(poll(0), 'wireless').reduce((sum, s) => sum + Number(s.fields.clients ?? 0), 0);
      if (only(poll(0), 'wireless').length > 0) expect(perRadio).toBe(expectedWirelessClients(name));
    });
  });
});
