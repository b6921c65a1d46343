import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInflux, waitFor, type InfluxResult, type InfluxServer } from '../../test/harness/index.ts';
import { createInfluxClient } from './influx-client.ts';
import { backfillRollups, ensureRetention } from './retention.ts';
import { rollupQueries } from './old-continuous-queries.ts';
import { capturingLogger } from './test-support.ts';

const DEFAULTS = { rawDays: 45, rollupDays: 800 };
const MINUTE = 60_000;
const WINDOW = 5 * MINUTE;
const CQ_NAMES = [
  'rollup_5m_ping',
  'rollup_5m_snmp',
  'rollup_5m_interface',
  'rollup_5m_agent_health',
  'rollup_5m_agent_status',
  'rollup_5m_host',
  'rollup_5m_host_storage',
  'rollup_5m_ups',
  'rollup_5m_wireless',
  'rollup_5m_agent_host',
  'rollup_5m_agent_host_disk',
  // From the 5-minute ping rollup, per UTC day: what the overview's availability columns read.
  'rollup_5m_ping_site_1d',
];

let influx: InfluxServer;

beforeAll(async () => {
  influx = await startInflux({ continuousQueries: true, cqRunIntervalSeconds: 1 });
});
afterAll(async () => {
  await influx?.stop();
});

async function freshDatabase(database: string) {
  await influx.query(`CREATE DATABASE "${database}"`);
  return createInfluxClient({ url: influx.url, database });
}

async function policies(database: string): Promise<unknown[][]> {
  const [result] = await influx.query(`SHOW RETENTION POLICIES ON "${database}"`);
  return (result?.series?.[0]?.values ?? []).map(([name, duration, , , isDefault]) => [name, duration, isDefault]);
}

async function continuousQueries(database: string): Promise<Map<string, string>> {
  const [result] = await influx.query('SHOW CONTINUOUS QUERIES');
  const series = result?.series?.find((s) => s.name === database);
  return new Map((series?.values ?? []).map(([name, query]) => [String(name), String(query)]));
}

/** Rows of a GROUP BY device result as `device@time → row`, the row keyed by column. */
function byDeviceAndTime(results: InfluxResult[]): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const series of results[0]?.series ?? []) {
    for (const values of series.values) {
      const row = Object.fromEntries(series.columns.map((c, i) => [c, values[i]]));
      out.set(`${series.tags?.device}@${String(row.time)}`, row);
    }
  }
  return out;
}

describe('ensureRetention', () => {
  it('creates raw (the default) and rollup_5m and no continuous query (the collector rolls up); a second start changes nothing', async () => {
    const client = await freshDatabase('hm-create');
    const { log, records } = capturingLogger();
    const changes = await ensureRetention(client, 'hm-create', DEFAULTS, log);
    expect(records.filter((r) => (r.level as number) >= 40)).toEqual([]);
    expect(changes).toEqual(['created retention policy raw (45 days), the default', 'created retention policy rollup_5m (800 days)']);
    expect(await policies('hm-create')).toEqual([
      ['autogen', '0s', false],
      ['raw', '1080h0m0s', true],
      ['rollup_5m', '19200h0m0s', false],
    ]);
    expect([...(await continuousQueries('hm-create')).keys()]).toEqual([]);

    expect(await ensureRetention(client, 'hm-create', DEFAULTS, log)).toEqual([]);

    // What the writer does (line-post.ts): /write?db=…&precision=ms, no `rp`, so the default policy, raw.
    await influx.write('hm-create', `ping,site=s,device=d up=1 ${Date.now()}`, 'ms');
    const [raw] = await influx.query('SELECT count(up) FROM "hm-create"."raw"."ping"');
    const [autogen] = await influx.query('SELECT count(up) FROM "hm-create"."autogen"."ping"');
    expect(raw?.series?.[0]?.values[0]?.[1]).toBe(1);
    expect(autogen?.series).toBeUndefined();
  });

  it('follows changed durations; on upgrade drops the old rollup CQs, one line each, and leaves CQs it does not own alone', async () => {
    const client = await freshDatabase('hm_alter');
    const { log, records } = capturingLogger();
    await ensureRetention(client, 'hm_alter', DEFAULTS, log);
    // What earlier versions made, and one of the operator's own.
    for (const cq of rollupQueries('hm_alter')) await influx.query(cq.create);
    await influx.query('CREATE CONTINUOUS QUERY "my_own" ON "hm_alter" BEGIN SELECT max(up) INTO "hm_alter"."autogen"."mine" FROM "hm_alter"."raw"."ping" GROUP BY time(1h) END');
    expect([...(await continuousQueries('hm_alter')).keys()].sort()).toEqual([...CQ_NAMES, 'my_own'].sort());

    expect(await ensureRetention(client, 'hm_alter', { rawDays: 60, rollupDays: 1000 }, log)).toEqual([
      'retention policy raw: 45 days -> 60 days',
      'retention policy rollup_5m: 800 days -> 1000 days',
      ...CQ_NAMES.map((name) => `dropped continuous query ${name} (the collector rolls up each school itself now)`),
    ]);
    expect(await policies('hm_alter')).toEqual([
      ['autogen', '0s', false],
      ['raw', '1440h0m0s', true],
      ['rollup_5m', '24000h0m0s', false],
    ]);
    expect(records.some((r) => r.level === 40)).toBe(false);
    expect([...(await continuousQueries('hm_alter')).keys()]).toEqual(['my_own']);

    await ensureRetention(client, 'hm_alter', DEFAULTS, log);
    expect(records.find((r) => r.level === 40 && r.policy === 'raw')?.msg).toMatch(/raw shortened: .* InfluxDB deletes the data older than 45 days/);
    expect(await ensureRetention(client, 'hm_alter', DEFAULTS, log)).toEqual([]);
    expect([...(await continuousQueries('hm_alter')).keys()]).toEqual(['my_own']);
  });

  it('on an install that wrote to autogen, makes raw the default and says how to copy the old data', async () => {
    const client = await freshDatabase('hm_upgrade');
    await influx.write('hm_upgrade', `ping,site=s,device=d up=1 ${Date.now()}`, 'ms');
    const { log, records } = capturingLogger();
    await ensureRetention(client, 'hm_upgrade', DEFAULTS, log);
    const warning = records.find((r) => r.level === 40 && r.policy === 'autogen');
    expect(warning?.msg).toContain('SELECT * INTO "hm_upgrade"."raw".:MEASUREMENT FROM "hm_upgrade"."autogen"./.*/ GROUP BY *');
    // A fresh database has no such data and gets no such warning (first test); a second start says nothing.
    records.length = 0;
    await ensureRetention(client, 'hm_upgrade', DEFAULTS, log);
    expect(records).toEqual([]);
  });
});

/**
 * Samples every 30 s for two devices over `windows` 5-minute windows from `start`: `broadband` is down
 * for the minute after each window's second minute, `firewall` always up; interface rates vary.
 */
function rawLines(start: number, windows: number, site = 'north-primary'): { lines: string[]; expectedUp: Map<string, number> } {
  const lines: string[] = [];
  const expectedUp = new Map<string, number>();
  for (let t = start; t < start + windows * WINDOW; t += 30_000) {
    const intoWindow = t % WINDOW;
    const broadbandUp = intoWindow >= 2 * MINUTE && intoWindow < 3 * MINUTE ? 0 : 1;
    const rtt = 5 + (t / 30_000) % 7;
    lines.push(`ping,site=${site},device=broadband,role=internet up=${broadbandUp},rtt_avg_ms=${rtt},rtt_max_ms=${rtt * 2} ${t}`);
    lines.push(`ping,site=${site},device=firewall,role=firewall up=1,rtt_avg_ms=${rtt / 2},rtt_max_ms=${rtt} ${t}`);
    lines.push(`interface,site=${site},device=firewall,role=firewall,interface=wan,if_index=1 oper_status=1,in_bps=${(t / 1000) % 9_973},out_bps=12 ${t}`);
  }
  // Of ten samples per window, broadband misses two: 80 % available.
  for (let w = start; w < start + windows * WINDOW; w += WINDOW) {
    expectedUp.set(`broadband@${new Date(w).toISOString().replace('.000', '')}`, 0.8);
    expectedUp.set(`firewall@${new Date(w).toISOString().replace('.000', '')}`, 1);
  }
  return { lines, expectedUp };
}

const range = (from: number, windows: number) => `time >= ${from}ms AND time < ${from + windows * WINDOW}ms`;

/** Waits until the rollup holds every window of both devices, then checks it against raw and the hand count. */
async function expectRolledUp(database: string, from: number, windows: number, expectedUp: Map<string, number>): Promise<void> {
  const rollupPing = () => influx.query(`SELECT mean_up, samples, mean_rtt_avg_ms, max_rtt_max_ms FROM "${database}"."rollup_5m"."ping" WHERE ${range(from, windows)} GROUP BY device`);
  const rollupIface = () => influx.query(`SELECT mean_in_bps, max_in_bps, samples FROM "${database}"."rollup_5m"."interface" WHERE ${range(from, windows)}`);
  // Each measurement has its own CQ, and influxd runs them one after another: wait for both.
  await waitFor(async () => byDeviceAndTime(await rollupPing()).size === windows * 2 && (await rollupIface())[0]?.series?.[0]?.values.length === windows, {
    timeoutMs: 20_000,
    what: `${windows} rollup windows of ${database}`,
  });

  const rollup = byDeviceAndTime(await rollupPing());
  const raw = byDeviceAndTime(
    await influx.query(`SELECT mean(up), count(up), mean(rtt_avg_ms), max(rtt_max_ms) FROM "${database}"."raw"."ping" WHERE ${range(from, windows)} GROUP BY time(5m), device`),
  );
  expect([...rollup.keys()].sort()).toEqual([...expectedUp.keys()].sort());
  for (const [key, row] of rollup) {
    const rawRow = raw.get(key)!;
    expect(row.mean_up, key).toBeCloseTo(rawRow.mean as number, 12);
    expect(row.mean_up, key).toBeCloseTo(expectedUp.get(key)!, 12);
    expect(row.samples, key).toBe(rawRow.count);
    expect(row.samples, key).toBe(10);
    expect(row.mean_rtt_avg_ms, key).toBeCloseTo(rawRow.mean_1 as number, 12);
    expect(row.max_rtt_max_ms, key).toBe(rawRow.max);
  }

  const [iface] = await rollupIface();
  const [ifaceRaw] = await influx.query(`SELECT mean(in_bps), max(in_bps), count(oper_status) FROM "${database}"."raw"."interface" WHERE ${range(from, windows)} GROUP BY time(5m)`);
  expect(iface?.series?.[0]?.values).toEqual(ifaceRaw?.series?.[0]?.values);
}

describe('5-minute rollups by backfillRollups (what the collector runs per school each hour)', () => {
  const database = 'hm_rollup';
  let client: ReturnType<typeof createInfluxClient>;

  beforeAll(async () => {
    client = await freshDatabase(database);
    await ensureRetention(client, database, DEFAULTS, capturingLogger().log);
  });

  it('hold per-window means, maxima and sample counts that match the raw data', async () => {
    const from = Math.floor(Date.now() / WINDOW) * WINDOW - 6 * WINDOW;
    const { lines, expectedUp } = rawLines(from, 6);
    await influx.write(database, lines, 'ms');
    await backfillRollups(client, database, { from, to: from + 6 * WINDOW, site: 'north-primary' });
    await expectRolledUp(database, from, 6, expectedUp);
  });

  it('nothing is rolled up by influxd itself: raw data without a backfill has no rollup', async () => {
    const from = Math.floor(Date.now() / WINDOW) * WINDOW - 2 * 3_600_000;
    await influx.write(database, rawLines(from, 2, 'east-primary').lines, 'ms');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const [none] = await influx.query(`SELECT count(samples) FROM "${database}"."rollup_5m"."ping" WHERE "site" = 'east-primary'`);
    expect(none?.series).toBeUndefined();
  });

  it('rolls up a span widened to whole windows', async () => {
    const from = Math.floor(Date.now() / WINDOW) * WINDOW - 2 * 86_400_000;
    const { lines, expectedUp } = rawLines(from, 2);
    await influx.write(database, lines, 'ms');
    await backfillRollups(client, database, { from: from + 1, to: from + 2 * WINDOW - 1 });
    await expectRolledUp(database, from, 2, expectedUp);
  });

  it('backfill one school: its windows and its day, and no other school\'s', async () => {
    const from = Math.floor(Date.now() / WINDOW) * WINDOW - 3 * 86_400_000;
    const mine = rawLines(from, 2, "o'brien-academy");
    const other = rawLines(from, 2, 'south-primary');
    await influx.write(database, [...mine.lines, ...other.lines], 'ms');
    await backfillRollups(client, database, { from, to: from + 2 * WINDOW, site: "o'brien-academy" });
    const count = async (site: string, m: string) =>
      (await influx.query(`SELECT count(*) FROM "${database}"."rollup_5m"."${m}" WHERE "site" = '${site.replace(/'/g, "\\'")}' AND time >= ${from - 86_400_000}ms AND time < ${from + 86_400_000}ms`))[0]?.series?.[0]?.values[0]?.slice(1) ?? [];
    expect((await count("o'brien-academy", 'ping'))[0]).toBe(4);
    expect((await count("o'brien-academy", 'ping_site_1d'))[0]).toBeGreaterThan(0);
    expect(await count('south-primary', 'ping')).toEqual([]);
    expect(await count('south-primary', 'ping_site_1d')).toEqual([]);
  });

  it('a refused statement among a school\'s statements is an error naming it', async () => {
    await expect(backfillRollups(client, 'no_such_db', { from: 0, to: WINDOW, site: 'x' })).rejects.toThrow(/InfluxDB (refused|answered)/);
  });
});
