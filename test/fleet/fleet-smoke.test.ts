import { describe, expect, it } from 'vitest';
import { runFleet, type FleetResult } from '../../bench/fleet/run.ts';

/**
 * The fleet bench (issue 17) at CI scale: 50 schools (15 secondaries, 35 primaries) with 5-second polls
 * against the real collector and an influxd with deploy/influxdb's settings. Counts, not speed: every
 * sample measured is stored exactly once per school and measurement; the fault phase raises exactly the
 * expected alerts (3 schools offline, 10 switches down across 5 schools) and no other; the regional
 * outage's spools replay without loss; the monthly report is made for each of two schools from a month of
 * (synthetic) rollups.
 */
describe('fleet bench, smoke scale', () => {
  it('stores every sample once, raises exactly the expected alerts, and loses nothing in an outage', async () => {
    const lines: string[] = [];
    const result: FleetResult = await runFleet({
      schools: 50,
      pollSeconds: 5,
      steadyPolls: 4,
      faultPolls: 10,
      outagePolls: 3,
      offlineSchools: 3,
      downDevices: 10,
      downSchools: 5,
      outageSchools: 8,
      phases: new Set(['steady', 'faults', 'outage', 'reports']),
      reportSchools: 2,
      log: (line) => lines.push(line),
    });
    expect(result.problems, lines.join('\n')).toEqual([]);
    const counts = result.counts as { mismatchCount: number; schoolsChecked: number; samplesMeasured: number };
    expect(counts.schoolsChecked).toBe(50);
    expect(counts.mismatchCount).toBe(0);
    expect(counts.samplesMeasured).toBeGreaterThan(0);

    const faults = result.faults as { alerts: { siteOffline: number; deviceDown: number; fired: number; extra: string[]; missing: string[] } };
    expect(faults.alerts).toMatchObject({ siteOffline: 3, deviceDown: 10, fired: 13, extra: [], missing: [] });

    type Window = { seconds: number; cpuSeconds: Record<string, number>; machineCores: { busy: number }; influxdPoints: number };
    const outage = result.outage as { schools: number; spooledSamples: number; drainSeconds: number; rawWriteSamePoints: { points: number }; windows: { drain: Window; rawWriteSamePoints: Window }; ratioOfInfluxdPointsPerSecond: number };
    expect(outage.schools).toBe(8);
    expect(outage.spooledSamples).toBeGreaterThan(0);
    // The ratio's peer wrote the very points the region spooled, again (the counts above did not change).
    expect(outage.rawWriteSamePoints.points).toBe(outage.spooledSamples);
    // Both windows saw at least their own points stored, and say who had the CPU meanwhile.
    expect(outage.windows.drain.influxdPoints).toBeGreaterThanOrEqual(outage.spooledSamples);
    expect(outage.windows.rawWriteSamePoints.influxdPoints).toBeGreaterThanOrEqual(outage.spooledSamples);
    for (const w of [outage.windows.drain, outage.windows.rawWriteSamePoints]) {
      expect(Object.keys(w.cpuSeconds).sort()).toEqual(['agents', 'bench', 'collector', 'influxd']);
      expect(w.machineCores.busy).toBeGreaterThan(0);
    }
    expect(outage.ratioOfInfluxdPointsPerSecond).toBeGreaterThan(0);
    // The collector's own log was read phase by phase (its vitals line comes once a minute).
    expect(Object.keys(result.collectorLog as object).length).toBeGreaterThan(0);
    const reports = result.reports as { reports: number; exitCode: number | null };
    expect(reports).toMatchObject({ reports: 2, exitCode: 0 });
    // Every alert of the run is one of the two rules the faults and the outage justify.
    expect(Object.keys(result.alertsByRule as object).filter((r) => r !== 'site-offline' && r !== 'device-down'), JSON.stringify([result.alertsByRule, result.alertsPendingOnlyByRule])).toEqual([]);
  }, 240_000);
});
