import { describe, expect, it, vi } from 'vitest';
import { DESERVED } from './deserved.ts';
import { corpusSelection, runFleet, sharedRecordings, type FleetDevice } from './fleet.ts';

// The SNMP check's sockets replaced by recordings answered in memory: the check's own code runs unchanged.
const sessions = vi.hoisted(() => ({ files: new Map<string, string>() }));
vi.mock('../../agent/checks/snmp/session.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../agent/checks/snmp/session.ts')>();
  const { readFileSync } = await import('node:fs');
  const { memorySession } = await import('../harness/memory-session.ts');
  const open = new Map<string, ReturnType<typeof memorySession>>();
  return {
    ...actual,
    withSession: async (_address: string, config: { community?: string }, _options: unknown, use: (s: unknown) => Promise<unknown>) => {
      const file = sessions.files.get(config.community ?? '');
      if (file === undefined) throw new actual.SnmpFailure('timeout');
      let session = open.get(file);
      if (session === undefined) open.set(file, (session = memorySession(readFileSync(file, 'utf8'), file)));
      return use(session);
    },
  };
});

const T0 = Date.UTC(2026, 10, 24, 9, 0, 0); // Tue 24 Nov 2026 09:00 London: term time, school hours
const fleet: FleetDevice[] = [...sharedRecordings(), ...corpusSelection(3)];
for (const d of fleet) sessions.files.set(d.recording, d.file);

describe('a quiet fleet raises only the alerts its data justifies', () => {
  it('every shared recording and every third of the corpus, healthy for 11 polls 2 minutes apart (22 minutes)', async () => {
    const result = await runFleet({ devices: fleet, rounds: 11, intervalSeconds: 120, snmp: { host: '127.0.0.1', port: 161 }, start: T0 });
    const raised = Object.fromEntries(result.raised.map((r) => [r.key, r.title]));
    expect(raised).toEqual(DESERVED);
    expect(result.pending).toBe(0);
    // What the rules were tried on (so a profile that stops answering cannot make this pass by silence).
    expect(result.devices).toBeGreaterThanOrEqual(29 + 290);
    expect(result.devicesWith.snmp).toBe(result.devices);
    expect(result.devicesWith.ups ?? 0).toBeGreaterThanOrEqual(5);
    expect(result.devicesWith.host_storage ?? 0).toBeGreaterThanOrEqual(50);
    expect(result.devicesWith.printer_supply ?? 0).toBeGreaterThanOrEqual(5);
    expect(result.uplinks).toBeGreaterThanOrEqual(200);
    process.stdout.write(
      `quiet fleet: ${result.devices} devices in ${result.sites} sites, ${result.rounds} rounds, ${result.samples} samples, ${result.uplinks} uplinks; ` +
        `devices with ups ${result.devicesWith.ups}, host_storage ${result.devicesWith.host_storage}, printer_supply ${result.devicesWith.printer_supply}; ` +
        `alerts expected ${Object.keys(DESERVED).length}, raised ${result.raised.length}\n`,
    );
  }, 240_000);
});
