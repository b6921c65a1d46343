import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingInterfaceIndexes, recordingText, waitFor } from '../harness/index.ts';
import { closedUntil } from '../../collector/rollups/plan.ts';
import { SCHOOL_SNMP_DEVICES as SNMP_DEVICES, startSchoolRun, type SchoolRun } from '../support/school-run.ts';

/**
 * The spine, end to end on real services: snmpsimd serving real device recordings and the system ping
 * → the agent (its real CLI, as a separate process) → the collector's embedded broker → InfluxDB.
 */
const SITE = 'e2e-school';
const DB = 'hallmonitor_e2e';
const SYS_DESCR = '1.3.6.1.2.1.1.1.0';

let run: SchoolRun;

async function select(q: string): Promise<unknown[][]> {
  return run.select(q);
}

beforeAll(async () => {
  run = await startSchoolRun({ site: SITE, db: DB });
}, 120_000);

afterAll(async () => {
  await run?.stop();
});

describe('agent → MQTT → collector → InfluxDB', () => {
  it('stores one interface series per row of each recording', async () => {
    for (const [device, [recording]] of Object.entries(SNMP_DEVICES)) {
      const [result] = await run.influx.query(`SHOW TAG VALUES FROM interface WITH KEY = if_index WHERE site='${SITE}' AND device='${device}'`, DB);
      const stored = (result?.series?.[0]?.values ?? []).map((v) => Number(v[1])).sort((a, b) => a - b);
      expect({ device, interfaces: stored }).toEqual({ device, interfaces: recordingInterfaceIndexes(recording) });
    }
  });

  it('stores each device\'s sysDescr as recorded', async () => {
    for (const [device, [recording]] of Object.entries(SNMP_DEVICES)) {
      const rows = await select(`SELECT last(sys_descr) FROM snmp WHERE site='${SITE}' AND device='${device}'`);
      const expected = recordingText(recording, SYS_DESCR) ?? '';
      // fortigate_60f records an empty sysDescr: an empty string field, or none at all, both say "nothing".
      expect({ device, sysDescr: rows[0]?.[1] ?? '' }).toEqual({ device, sysDescr: expected });
    }
  });

  it('computes rates from the second poll on, with 64-bit counters where the device has them', async () => {
    const rows = await select(`SELECT in_bps, counter_bits FROM interface WHERE site='${SITE}' AND device='core-switch' AND in_bps >= 0`);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r[2] === 64)).toBe(true);
    const draytek = await select(`SELECT last(counter_bits) FROM interface WHERE site='${SITE}' AND device='router'`);
    expect(draytek[0]?.[1]).toBe(32);
  });

  it('the live ping target is up with no loss, the dead one down with 100 % loss', async () => {
    const live = await select(`SELECT up, loss_pct, rtt_avg_ms FROM ping WHERE site='${SITE}' AND device='live-host'`);
    const deadRows = await select(`SELECT up, loss_pct FROM ping WHERE site='${SITE}' AND device='dead-host'`);
    expect(live.length).toBeGreaterThan(0);
    expect(deadRows.length).toBeGreaterThan(0);
    for (const r of live) expect([r[1], r[2], typeof r[3]]).toEqual([1, 0, 'number']);
    for (const r of deadRows) expect([r[1], r[2]]).toEqual([0, 100]);
  });

  it('every stored sample carries the time it was measured, to the millisecond', async () => {
    // The agent keeps polling: take what was published so far, then wait until all of it is written.
    const sent = run.published.filter((s) => s.measurement === 'ping' || s.measurement === 'snmp');
    expect(sent.length).toBeGreaterThan(0);
    await run.collector.writer.flush();
    const rows = await select(`SELECT up, device FROM ping, snmp WHERE site='${SITE}'`);
    const stored = new Set(rows.map((r) => `${r[2]}@${Date.parse(String(r[0]))}`));
    for (const s of sent) expect(stored.has(`${s.tags.device}@${s.time}`), `${s.measurement} ${s.tags.device} at ${s.time}`).toBe(true);
    expect(run.collector.ingest.stats().rejects).toEqual({ topic: 0, invalid: 0, 'site-mismatch': 0, 'agent-mismatch': 0, internal: 0 });
    // Nor one sample of a batch (types, times, series budget).
    expect(Object.entries(run.collector.ingest.stats().rejectedSamples).filter(([, n]) => n > 0)).toEqual([]);
  });

  it('the agent saved the pushed site config to disk and reported itself online', async () => {
    const saved = JSON.parse(readFileSync(join(run.dir.path, 'agent-data', 'site-config.json'), 'utf8'));
    expect(saved.site).toBe(SITE);
    expect(saved.devices).toHaveLength(Object.keys(SNMP_DEVICES).length + 2);
    const status = await select(`SELECT last(online) FROM agent_status WHERE agent='${SITE}-1'`);
    expect(status[0]?.[1]).toBe(1);
    expect(existsSync(join(run.dir.path, 'agent-data', 'spool.db'))).toBe(true);
  });

  it('the collector put raw data in the default 45-day policy and set up the 5-minute rollups', async () => {
    const [rps] = await run.influx.query(`SHOW RETENTION POLICIES ON ${DB}`);
    const policies = (rps?.series?.[0]?.values ?? []).map((v) => ({ name: v[0], duration: v[1], isDefault: v[4] }));
    expect(policies).toContainEqual({ name: 'raw', duration: '1080h0m0s', isDefault: true });
    expect(policies.map((p) => p.name)).toContain('rollup_5m');
    // The rollups are the collector's (collector/rollups/scheduler.ts), not influxd's continuous queries:
    // no CQ of ours, and the school's last closed hour is rolled up and noted in rollups.json.
    const [cqs] = await run.influx.query('SHOW CONTINUOUS QUERIES');
    const names = (cqs?.series ?? []).filter((s) => s.name === DB).flatMap((s) => (s.values ?? []).map((v) => v[0]));
    expect(names.filter((n) => String(n).startsWith('rollup_5m'))).toEqual([]);
    const closed = closedUntil(Date.now(), 5 * 60_000);
    await waitFor(async () => (run.collector.rollups.rolledUntil(SITE) ?? 0) >= closed, { timeoutMs: 20_000, what: 'the school\'s last closed hour rolled up' });
    expect(JSON.parse(readFileSync(join(run.dir.path, 'data', 'rollups.json'), 'utf8')).rolledUntil[SITE]).toBeGreaterThanOrEqual(closed);
    const [raw] = await run.influx.query(`SELECT count(up) FROM "raw".ping WHERE site='${SITE}'`, DB);
    expect(Number(raw?.series?.[0]?.values[0]?.[1])).toBeGreaterThan(0);
  });
});
