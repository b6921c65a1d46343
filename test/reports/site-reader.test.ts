import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthInterval } from '../../collector/calendar/index.ts';
import { siteFileSchema, type SiteFile } from '../../collector/config/schema.ts';
import { buildSiteReport, checkOf as reportCheckOf, comparisonDevices, type ReportSources } from '../../collector/reports/build.ts';
import { reportsConfigSchema } from '../../collector/reports/config.ts';
import { ROWS_PER_QUERY, loadDeviceData, loadSiteDevices, type DataSource } from '../../collector/reports/data/influx-source.ts';
import { createInfluxClient } from '../../collector/storage/influx-client.ts';
import { backfillRollups, ensureRetention } from '../../collector/storage/retention.ts';
import { capturingLogger } from '../../collector/storage/test-support.ts';
import { startInflux, type InfluxServer } from '../harness/index.ts';
import { buildSiteReportPerDevice } from './per-device-build.ts';
import { DATA_END, DATA_START, jitterLines, jitterSite, site, siteYaml, syntheticLines, writeLines } from './synthetic-month.ts';

/**
 * The report's reads in batches (a query per 8 devices, GROUP BY "device"; the month before only for the
 * devices its two figures rest on) against the reads they replaced (a query per device, every device both
 * months: per-device-build.ts, the build as it was), on the same data in a real InfluxDB.
 */
const DB = 'hm_site_reader';
const REPORTS = reportsConfigSchema.parse({ providerName: 'Northfield IT Services' });
const at = (name: string, device: string) => (l: string) => l.replace('site=st-marys', `site=${name}`).replace('device=hall-ap,', `device=${device},`);
const stMarys = syntheticLines();
const hallAp = stMarys.filter((l) => l.includes('device=hall-ap,'));
/** st-marys with an access point that never answered (no rows at all). */
const withSilent: SiteFile = siteFileSchema.parse({ ...siteYaml, devices: [...siteYaml.devices, { name: 'library-ap', address: '127.0.0.5', role: 'access-point', parent: 'core-switch' }] });
/** A school with the same devices and no data at all. */
const empty: SiteFile = siteFileSchema.parse({ ...siteYaml, id: 'empty' });
/** A school where only an access point ever answered: the month before has no internet or core data. */
const apOnly: SiteFile = siteFileSchema.parse({ ...siteYaml, id: 'ap-only' });
/** A school of 19 devices (more than two batches): the st-marys four and 15 access points, each its own gaps. */
const APS = Array.from({ length: 15 }, (_, k) => `ap-${k + 1}`);
const many: SiteFile = siteFileSchema.parse({
  ...siteYaml,
  id: 'many',
  devices: [...siteYaml.devices, ...APS.map((name, k) => ({ name, address: `127.0.1.${k + 1}`, role: 'access-point', parent: k % 2 === 0 ? 'core-switch' : 'hall-ap' }))],
});
/** Another school's devices of the same names, which must never be read into these. */
const other = stMarys.filter((l) => l.startsWith('ping,device=broadband,')).map((l) => l.replace('site=st-marys', 'site=other').replace(/ up=1,/, ' up=0,'));

let influx: InfluxServer;
let sources: ReportSources;

beforeAll(async () => {
  influx = await startInflux();
  await influx.query(`CREATE DATABASE "${DB}"`);
  const client = createInfluxClient({ url: influx.url, database: DB });
  await ensureRetention(client, DB, { rawDays: 3_650, rollupDays: 3_650 }, capturingLogger().log);
  // Ten of the access points answered for four days each (from a different day), five never.
  const manyLines = APS.slice(0, 10).flatMap((ap, k) => hallAp.slice(k * 3_000, k * 3_000 + 6_000).filter((_, n) => n % (k + 2) !== 0).map(at('many', ap)));
  const sparse = stMarys.filter((l, n) => n % 3 === 0 || !l.startsWith('ping,'));
  await writeLines(influx, DB, [...stMarys, ...jitterLines(), ...hallAp.map(at('ap-only', 'hall-ap')), ...sparse.map(at('many', 'hall-ap')), ...manyLines, ...other]);
  await backfillRollups(client, DB, { from: DATA_START - 86_400_000, to: DATA_END });
  sources = { client, database: DB, rawDays: 45, now: Date.parse('2026-11-01T07:00:00Z') };
}, 400_000);

afterAll(async () => {
  await influx?.stop();
});

// Every device of these schools has a check, so the report's own rule always answers.
const checkOf = (d: SiteFile['devices'][number]) => reportCheckOf(d)!;

describe('a school read in batches', () => {
  it('gives every device the same rows, timeline and link readings as its own query', async () => {
    const month = { start: monthInterval('2026-10', 'Europe/London').start - 86_400_000, end: monthInterval('2026-10', 'Europe/London').end };
    // A month (a device per query) and a day (from rollups all 19 devices of "many" in one query, raw 6 at a time).
    const day = { start: Date.parse('2026-10-20T00:00:00Z'), end: Date.parse('2026-10-21T00:00:00Z') };
    expect([ROWS_PER_QUERY / 9_216, ROWS_PER_QUERY / 288, ROWS_PER_QUERY / 1_440].map(Math.floor)).toEqual([1, 34, 6]);
    let compared = 0;
    for (const range of [month, day]) {
      for (const s of [withSilent, empty, apOnly, many, jitterSite]) {
        for (const source of ['raw', 'rollup'] as DataSource[]) {
          const devices = s.devices.map((d) => ({ name: d.name, ...checkOf(d), readings: d.role === 'internet' }));
          const batched = await loadSiteDevices(sources.client, DB, { site: s.id, range, source, devices });
          expect([...batched.keys()]).toEqual(devices.map((d) => d.name));
          for (const d of devices) {
            const own = await loadDeviceData(sources.client, DB, { site: s.id, device: d.name, range, source, ...d });
            expect(batched.get(d.name), `${s.id} ${d.name} ${source}`).toEqual(own);
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(2 * 2 * (5 + 4 + 4 + 19 + 3));
  }, 240_000);

  it('the silent device, and every device of the school with none, have no results, and from rollups an unknown month', async () => {
    const range = monthInterval('2026-10', 'Europe/London');
    const devices = [{ name: 'library-ap', measurement: 'ping' as const, intervalMs: 60_000, readings: false }];
    const silent = await loadSiteDevices(sources.client, DB, { site: 'st-marys', range, source: 'rollup', devices });
    expect(silent.get('library-ap')).toMatchObject({ results: [], readings: [], observed: [{ start: range.start, end: range.end, state: 'unknown' }] });
    const none = await loadSiteDevices(sources.client, DB, { site: 'empty', range, source: 'raw', devices: [{ ...devices[0]!, name: 'broadband', readings: true }] });
    expect(none.get('broadband')).toEqual({ results: [], readings: [] });
  });
});

describe('the month before, read only for the devices its figures rest on', () => {
  it('names the internet links, the core roles and the devices they are reached through, no more', () => {
    expect([...comparisonDevices(many.devices, ['firewall', 'core-switch', 'server'])].sort()).toEqual(['broadband', 'core-switch', 'firewall']);
    // An access point as a core role brings its parents along; a device's unknown parent is no device.
    const devices = [
      { name: 'ap', role: 'access-point', parent: 'sw' },
      { name: 'sw', role: 'switch', parent: 'fw' },
      { name: 'fw', role: 'firewall', parent: 'gone' },
      { name: 'printer', role: 'printer', parent: 'sw' },
    ];
    expect([...comparisonDevices(devices, ['access-point'])].sort()).toEqual(['ap', 'fw', 'sw']);
    expect([...comparisonDevices(devices, ['server'])]).toEqual([]);
  });

  it('every report is the one the per-device reads made: outages, a silent device, no data, data last month only from an access point', async () => {
    const cases: [SiteFile, string, number][] = [
      [withSilent, '2026-10', sources.now],
      [empty, '2026-10', sources.now],
      [apOnly, '2026-10', sources.now],
      [many, '2026-10', sources.now],
      [jitterSite, '2026-10', sources.now],
      // The month to date, and a month whose month before has no data at all.
      [withSilent, '2026-10', Date.parse('2026-10-20T12:00:00Z')],
      [many, '2026-09', sources.now],
    ];
    for (const [s, month, now] of cases) {
      for (const source of ['raw', 'rollup'] as DataSource[]) {
        const o = { ...sources, now, source };
        const want = await buildSiteReportPerDevice(o, s, month, REPORTS);
        const got = await buildSiteReport(o, s, month, REPORTS);
        expect(got, `${s.id} ${month} ${source} at ${new Date(now).toISOString()}`).toEqual(want);
      }
    }
    // Both sides of the comparison: st-marys had September data (its outage of the 28th), the empty school none,
    // and the access-point school's September came from the access point alone.
    const compare = async (s: SiteFile) => (await buildSiteReport({ ...sources, source: 'raw' }, s, '2026-10', REPORTS)).headline.map((h) => h.previousText);
    expect(await compare(withSilent)).not.toContain('no report');
    expect(await compare(empty)).toEqual(['no report', 'no report']);
    expect(await compare(apOnly)).not.toContain('no report');
  }, 300_000);
});
