import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test/harness/index.ts';
import { outageAlert, writeAlertStore } from '../../../test/reports/alert-fixtures.ts';
import { alertHistoryFromStore } from './alert-source.ts';

const NOV = { start: Date.parse('2026-11-01T00:00:00Z'), end: Date.parse('2026-12-01T00:00:00Z') };
const OCT = { start: Date.parse('2026-10-01T00:00:00Z'), end: Date.parse('2026-11-01T00:00:00Z') };

describe('alertHistoryFromStore, asked once per school by report --all', () => {
  it('reads a period once and answers every school the same, a different period apart', async () => {
    const temp = makeTempDir('alert-source');
    try {
      const file = `${temp.path}/alerts.db`;
      writeAlertStore(file, [
        outageAlert('UTC', 'north', 'router', '2026-11-10T08:00', { firing: '2026-11-10T08:02', ack: '2026-11-10T08:10', resolved: '2026-11-10T09:00' }),
        outageAlert('UTC', 'south', 'switch', '2026-10-05T08:00', { firing: '2026-10-05T08:02', resolved: '2026-10-05T09:00' }),
      ]);
      const history = alertHistoryFromStore(file)!;
      const first = history(NOV);
      expect(first.map((a) => a.site)).toEqual(['north']);
      // The store emptied (removed; opening makes a new one): a period already read is answered from what
      // was read, a new period from the store as it is now (its south alert is gone with it).
      rmSync(file);
      const again = history(NOV);
      expect(again).toEqual(first);
      again.pop();
      expect(history(NOV)).toEqual(first);
      expect(history(OCT)).toEqual([]);
    } finally {
      await temp.remove();
    }
  });

  it('says there is no record when the engine has made no store yet', () => {
    expect(alertHistoryFromStore('/nonexistent/alerts.db')).toBeUndefined();
  });
});
