import { describe, expect, it } from 'vitest';
import { createLogger, deviceSchema, type Sample } from '../../contract/index.ts';
import type { Check, CheckContext } from '../checks/check.ts';
import { ManualClock } from '../../contract/manual-clock.ts';
import { CheckStats } from './check-stats.ts';

const device = deviceSchema.parse({ name: 'sw', address: '127.0.0.1' });

describe('CheckStats', () => {
  it('times each kind, counts SNMP timeouts apart from other SNMP errors, and windows the durations', async () => {
    const clock = new ManualClock(1_000);
    const ctx: CheckContext = { now: () => clock.now(), log: createLogger('test', 'silent') };
    const answers: Sample['fields'][] = [{ up: 1 }, { up: 0, error: 'timeout' }, { up: 0, error: 'authentication failed: wrong digest (check authKey and authProtocol)' }];
    const snmp: Check<unknown> = {
      kind: 'snmp',
      run: async () => {
        clock.setTimeout(() => undefined, 0);
        const fields = answers.shift()!;
        await clock.advance(fields.up === 1 ? 100 : 2_000);
        return [{ measurement: 'snmp', tags: {}, fields, time: clock.now() }];
      },
    };
    const ping: Check<unknown> = { kind: 'ping', run: async () => [] };
    const stats = new CheckStats(() => clock.now());
    const checks = stats.measure({ ping, snmp });
    expect(stats.fields()).toEqual({ ping_runs: 0, ping_in_progress: 0, snmp_runs: 0, snmp_in_progress: 0, snmp_timeouts: 0, snmp_errors: 0 });

    await checks.snmp.run(device, {}, ctx);
    await checks.snmp.run(device, {}, ctx);
    await checks.ping.run(device, {}, ctx);
    expect(stats.fields()).toEqual({
      ping_runs: 1,
      ping_in_progress: 0,
      ping_ms_avg: 0,
      ping_ms_max: 0,
      snmp_runs: 2,
      snmp_in_progress: 0,
      snmp_ms_avg: 1_050,
      snmp_ms_max: 2_000,
      snmp_timeouts: 1,
      snmp_errors: 0,
    });

    stats.startWindow();
    const running = checks.snmp.run(device, {}, ctx);
    expect(stats.fields()).toMatchObject({ snmp_in_progress: 1 });
    expect(stats.fields().snmp_ms_max).toBeUndefined();
    await running;
    expect(stats.fields()).toMatchObject({ snmp_runs: 3, snmp_in_progress: 0, snmp_ms_max: 2_000, snmp_timeouts: 1, snmp_errors: 1 });
  });

  it('a check that rejects still counts as run and is no longer in progress', async () => {
    const stats = new CheckStats(() => 0);
    const broken: Check<unknown> = { kind: 'ping', run: async () => Promise.reject(new Error('bug')) };
    const { ping } = stats.measure({ ping: broken });
    await expect(ping.run(device, {}, { now: () => 0, log: createLogger('test', 'silent') })).rejects.toThrow('bug');
    expect(stats.fields()).toMatchObject({ ping_runs: 1, ping_in_progress: 0 });
  });
});
