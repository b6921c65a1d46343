import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../../test/harness/index.ts';
import { openReportLedger, type ReportLedger } from './ledger.ts';

let temp: TempDir;
const open: ReportLedger[] = [];
const ledger = (file = join(temp.path, 'reports.db')) => {
  const l = openReportLedger(file);
  open.push(l);
  return l;
};
afterEach(async () => {
  for (const l of open.splice(0)) l.close();
  await temp?.remove();
});

describe('report ledger', () => {
  it('two collectors on one file: only one claims a month; sent stays sent across a restart', () => {
    temp = makeTempDir('ledger');
    const a = ledger();
    const b = ledger();
    expect(a.claim('north', '2026-10', 'a', 1_000)).toBe(1);
    expect(b.claim('north', '2026-10', 'b', 1_001)).toBeUndefined();
    expect(b.claim('south', '2026-10', 'b', 1_001)).toBe(1);
    a.sent('north', '2026-10', 'a', 2_000, '<id@x>');
    a.close();
    open.shift();
    const restarted = ledger();
    expect(restarted.claim('north', '2026-10', 'a', 3_000)).toBeUndefined();
    expect(restarted.get('north', '2026-10')).toMatchObject({ state: 'sent', attempts: 1, messageId: '<id@x>', sentAt: 2_000 });
  });

  it('a failed send is retried when due, up to the attempts allowed, then failed', () => {
    temp = makeTempDir('ledger');
    const l = ledger();
    const retry = (now: number) => ({ now, delayMs: 100, maxAttempts: 2 });
    expect(l.claim('s', '2026-10', 'a', 0)).toBe(1);
    expect(l.failed('s', '2026-10', 'a', '451 try later', retry(10))).toBe('retry');
    expect(l.claim('s', '2026-10', 'b', 50)).toBeUndefined();
    expect(l.claim('s', '2026-10', 'b', 110)).toBe(2);
    expect(l.failed('s', '2026-10', 'b', '451 again', retry(120))).toBe('failed');
    expect(l.claim('s', '2026-10', 'a', 10_000)).toBeUndefined();
    expect(l.get('s', '2026-10')).toMatchObject({ state: 'failed', attempts: 2, lastError: '451 again' });
  });

  it('a claim left sending by a sender that died is interrupted, not taken again', () => {
    temp = makeTempDir('ledger');
    const l = ledger();
    l.claim('s', '2026-10', 'dead', 0);
    expect(l.interruptStale(500, 1_000)).toEqual([]);
    expect(l.interruptStale(2_000, 1_000).map((r) => [r.site, r.month, r.state, r.claimedBy])).toEqual([['s', '2026-10', 'interrupted', 'dead']]);
    expect(l.claim('s', '2026-10', 'alive', 3_000)).toBeUndefined();
  });
});
