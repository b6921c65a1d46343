import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordingLines } from './oracle-lines.ts';
import { CLASS_DISAGREEMENTS, VALUE_DISAGREEMENTS } from './oracle-disagreements.ts';
import { compareClients, compareEnvironment, compareInterfaces, compareSupplies, compareUps, indexesWithValues, type Tally } from './oracle-compare.ts';
import { sameAsLibreNmsType } from './classes.ts';
import { corpusIndex, pollRecording, readOracle, type CorpusEntry, type PolledDevice } from './oracle-poll.ts';
import { devicesPage, type DeviceRow } from './devices-page.ts';
import { readingsOf, readingsSection, withReadings } from './readings-section.ts';
import { readmeSection, readmeSectionOf, withReadmeSection } from './readme-section.ts';

/**
 * All 877 recordings of ../shared/corpus polled in-process through the SNMP session seam (no simulator
 * per device; test/corpus/oracle-live.test.ts sends a sample through snmpsimd), each compared with what
 * LibreNMS's own test data expects. Thresholds per issue 13. With CORPUS_DOCS=1 it writes docs/devices.md.
 */
const ENTRIES = corpusIndex();
/** Class right per LibreNMS type when this test was written, less a little; raise them as rules improve. */
const CLASS_FLOORS: Readonly<Record<string, number>> = {
  network: 0.98,
  wireless: 0.96,
  firewall: 1,
  server: 0.96,
  storage: 1,
  printer: 1,
  power: 0.95,
  environment: 1,
  appliance: 0.95,
};
const rows: DeviceRow[] = [];
const crashes: string[] = [];
const DEVICES_MD = new URL('../../docs/devices.md', import.meta.url);
const README_MD = new URL('../../README.md', import.meta.url);
let readings = '';
let readme = '';

function sum(tallies: readonly Tally[]): { compared: number; equal: number } {
  return tallies.reduce((a, t) => ({ compared: a.compared + t.compared, equal: a.equal + t.equal }), { compared: 0, equal: 0 });
}

async function run(entry: CorpusEntry): Promise<void> {
  let polled: PolledDevice;
  try {
    polled = await pollRecording(entry.name);
  } catch (error) {
    crashes.push(`${entry.name}: ${(error as Error).stack ?? String(error)}`);
    return;
  }
  const oracle = readOracle(entry.name);
  const c = polled.detection.classification;
  const withValues = indexesWithValues(recordingLines(entry.name));
  const ports = compareInterfaces(oracle, polled.samples, (i) => withValues.has(i));
  const printing = compareSupplies(oracle, polled.samples);
  rows.push({
    entry,
    classification: c,
    classRight: sameAsLibreNmsType(entry.type, c),
    ports,
    supplies: printing.supplies,
    trays: printing.trays,
    ups: compareUps(oracle, polled.samples),
    environment: compareEnvironment(oracle, polled.samples),
    clients: compareClients(oracle, polled.summary.wireless_clients),
    oracleTemperatures: (oracle.sensors ?? []).filter((s) => s.sensor_class === 'temperature').length,
    ourTemperatures: polled.samples.filter((s) => s.fields.battery_temp_c !== undefined).length,
    profileErrors: polled.profileErrors,
  });
}

describe('the LibreNMS corpus: 877 recordings against the peer oracle', () => {
  beforeAll(async () => {
    for (const entry of ENTRIES) await run(entry);
    const justified = new Set(CLASS_DISAGREEMENTS.map((d) => d.name));
    const page = devicesPage(rows, (r) => justified.has(r.entry.name));
    console.log(page.tables);
    readings = readingsSection(rows, (name, what) => VALUE_DISAGREEMENTS.some((d) => d.name === name && `${what}:`.startsWith(`${d.what}:`)));
    console.log(readings);
    readme = readmeSection(rows, (r) => justified.has(r.entry.name));
    if (process.env.CORPUS_DOCS === '1') {
      writeFileSync(DEVICES_MD, withReadings(page.markdown, readings));
      writeFileSync(README_MD, withReadmeSection(readFileSync(README_MD, 'utf8'), readme));
    }
  }, 180_000);

  it('reads all 877 without an exception', () => {
    expect(ENTRIES).toHaveLength(877);
    expect(crashes).toEqual([]);
    expect(rows).toHaveLength(877);
  });

  function classShares(): { failing: string[]; overall: number; byType: Map<string, number> } {
    const justified = new Set(CLASS_DISAGREEMENTS.map((d) => d.name));
    const right = (r: DeviceRow) => r.classRight || justified.has(r.entry.name);
    const byType = new Map<string, number>();
    const failing: string[] = [];
    for (const type of new Set(rows.map((r) => r.entry.type))) {
      const list = rows.filter((r) => r.entry.type === type);
      const share = list.filter(right).length / list.length;
      byType.set(type, share);
      if (list.length >= 20 && share < 0.95) failing.push(`${type}: ${(share * 100).toFixed(1)} % of ${list.length}`);
    }
    return { failing, overall: rows.filter(right).length / rows.length, byType };
  }

  it('each justified class disagreement still holds: our class, and the line in the recording', () => {
    for (const d of CLASS_DISAGREEMENTS) {
      const row = rows.find((r) => r.entry.name === d.name);
      expect(row, d.name).toBeDefined();
      expect(row!.classification.class, d.name).toBe(d.ours);
      expect(recordingLines(d.name).some((l) => l.startsWith(d.line)), `${d.name}: ${d.line}`).toBe(true);
    }
  });

  it('class right no lower than measured when this test was written (a floor against regressions)', () => {
    const { overall, byType } = classShares();
    expect(overall).toBeGreaterThanOrEqual(0.975);
    for (const [type, floor] of Object.entries(CLASS_FLOORS)) expect(byType.get(type), type).toBeGreaterThanOrEqual(floor);
  });

  it('class right on >= 95 % of every type with 20 or more devices and >= 97 % overall (issue 13 thresholds)', () => {
    const { failing, overall } = classShares();
    expect({ failing, overall: overall >= 0.97 ? 'ok' : (overall * 100).toFixed(1) }).toEqual({ failing: [], overall: 'ok' });
  });

  it("interface names, oper status and speed equal on 100 % of LibreNMS's ports", () => {
    const wrong = rows.flatMap((r) =>
      [r.ports.found, r.ports.name, r.ports.oper, r.ports.speed].flatMap((t) => t.mismatches.map((m) => `${r.entry.name} ${m.what}: expected ${String(m.expected)}, got ${String(m.got)}`)),
    );
    const justified = wrong.filter((w) => VALUE_DISAGREEMENTS.some((d) => w.startsWith(`${d.name} ${d.what}:`)));
    expect(wrong.filter((w) => !justified.includes(w)).slice(0, 40)).toEqual([]);
    expect(sum(rows.map((r) => r.ports.found)).compared).toBeGreaterThan(10_000);
  });

  it("docs/devices.md's reading table is the one this run measured (regenerate with CORPUS_DOCS=1)", () => {
    expect(readingsOf(readFileSync(DEVICES_MD, 'utf8'))).toBe(readings);
  });

  it("README's device support table is the one this run measured (regenerate with CORPUS_DOCS=1)", () => {
    expect(readmeSectionOf(readFileSync(README_MD, 'utf8'))).toBe(readme);
  });

  it('every justified value disagreement is still one (no stale excuses)', () => {
    const all = rows.flatMap((r) =>
      [r.ports.found, r.ports.name, r.ports.oper, r.ports.speed, r.supplies, r.trays, r.ups, r.clients.clients, r.environment].flatMap((t) => t.mismatches.map((m) => `${r.entry.name} ${m.what}:`)),
    );
    expect(VALUE_DISAGREEMENTS.filter((d) => !all.some((w) => w.startsWith(`${d.name} ${d.what}:`))).map((d) => `${d.name} ${d.what}`)).toEqual([]);
  });

  it('printer supply, tray, UPS values and Wi-Fi client counts equal on 100 % (justified disagreements listed)', () => {
    const wrong = rows.flatMap((r) =>
      [r.supplies, r.trays, r.ups, r.clients.clients, r.environment].flatMap((t) => t.mismatches.map((m) => `${r.entry.name} ${m.what}: expected ${String(m.expected)}, got ${String(m.got)}`)),
    );
    for (const d of VALUE_DISAGREEMENTS) expect(recordingLines(d.name).some((l) => l.startsWith(d.line)), `${d.name}: ${d.line}`).toBe(true);
    const unexplained = wrong.filter((w) => !VALUE_DISAGREEMENTS.some((d) => w.startsWith(`${d.name} ${d.what}:`)));
    expect(unexplained).toEqual([]);
  });
});
