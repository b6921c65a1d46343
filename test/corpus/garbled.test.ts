import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckContext } from '../../agent/checks/check.ts';
import { createSnmpCheck } from '../../agent/checks/snmp/snmp-check.ts';
import { createLogger, deviceSchema, sampleSchema, snmpCheckSchema, type Sample } from '../../contract/index.ts';
import { startSnmpsim, type SnmpsimServer } from '../harness/index.ts';

/**
 * A device that implements every profile's MIB, but answers each with the wrong types. The file ends on
 * the last OID, so every walk past it meets snmpsimd's endOfMibView, and GETs of absent objects meet
 * noSuchObject. Each profile must give a sample that says what was wrong, and the check must not throw.
 */
const GARBLED = [
  '1.3.6.1.2.1.1.1.0|4|garbled everything',
  '1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2435.2.3.9.1',
  '1.3.6.1.2.1.2.2.1.2.1|4|eth0',
  '1.3.6.1.2.1.25.2.3.1.2.1|4|not an oid',
  '1.3.6.1.2.1.25.2.3.1.4.1|4|x',
  '1.3.6.1.2.1.25.2.3.1.5.1|2|100',
  '1.3.6.1.2.1.25.3.3.1.2.1|4|busy',
  '1.3.6.1.2.1.25.3.5.1.2.1|2|7',
  '1.3.6.1.2.1.33.1.2.1.0|4|ok',
  '1.3.6.1.2.1.33.1.2.4.0|2|95',
  '1.3.6.1.2.1.43.11.1.1.6.1.1|2|5',
  '1.3.6.1.2.1.43.11.1.1.8.1.1|4|full',
  '1.3.6.1.2.1.43.11.1.1.9.1.1|4|lots',
  '1.3.6.1.4.1.41112.1.6.1.2.1.8.1|4|many',
  '1.3.6.1.4.1.41112.1.6.1.2.1.9.1|4|ng',
].join('\n');

const ctx: CheckContext = { now: () => Date.now(), log: createLogger('test', 'silent') };
const find = (samples: Sample[], measurement: string) => samples.filter((s) => s.measurement === measurement);

describe('a device answering garbage in every profile', () => {
  let sim: SnmpsimServer;
  beforeAll(async () => {
    sim = await startSnmpsim({ recordings: [], extraFiles: { garbled: GARBLED } });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  for (const version of ['1', '2c'] as const) {
    it(`SNMPv${version}: each profile's sample names the bad values; nothing throws`, async () => {
      const samples = await createSnmpCheck().run(
        deviceSchema.parse({ name: 'odd', address: sim.host }),
        snmpCheckSchema.parse({ community: 'garbled', port: sim.port, version, timeoutSeconds: 1 }),
        ctx,
      );
      for (const s of samples) expect(sampleSchema.safeParse(s).error).toBeUndefined();
      expect(find(samples, 'snmp')[0]?.fields).toMatchObject({ up: 1, interfaces: 1 });
      expect(find(samples, 'device_info')[0]?.fields.profiles).toBe('interfaces,host_resources,printer,ups_mib,unifi');
      expect(find(samples, 'printer_supply')[0]?.fields).toEqual({
        level_state: 'unknown',
        error: 'bad value in prtMarkerSuppliesDescription, prtMarkerSuppliesLevel, prtMarkerSuppliesMaxCapacity',
      });
      expect(find(samples, 'printer')[0]?.fields.error).toBe('bad value in hrPrinterDetectedErrorState');
      expect(find(samples, 'host_cpu')[0]?.fields).toEqual({ error: 'bad value in hrProcessorLoad' });
      expect(find(samples, 'host_storage')[0]?.fields.error).toBe('bad value in hrStorageType, hrStorageAllocationUnits');
      expect(find(samples, 'ups')[0]?.fields).toEqual({ mib: 'ups_mib', battery_pct: 95, error: 'bad value in upsBatteryStatus' });
      expect(find(samples, 'wireless')[0]?.fields).toEqual({ error: 'bad value in unifiVapNumStations' });
    });
  }
});
