import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from './pipeline/alert.ts';
import { AlertStore } from './store.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const file = () => {
  const dir = mkdtempSync(join(tmpdir(), 'hm-alert-store-'));
  dirs.push(dir);
  return join(dir, 'alerts.db');
};

const alert: Alert = {
  id: 'a1', key: 'k', rule: 'device-down', site: 's', device: 'd', severity: 'critical', period: 'always', title: 't', facts: [],
  state: 'firing', since: 1, notified: true, level: 0, sent: 1, resolvedSent: false, recipients: [{ name: 'Alice' }],
};
const decision = { notification: { id: 'a1-1-firing', alertId: 'a1', kind: 'firing' } as never, to: [{ name: 'Alice' }] };

describe('alert store', () => {
  it('keeps alerts, decisions, acknowledgements and silences across reopening', () => {
    const f = file();
    const a = new AlertStore(f);
    a.record({ alerts: [alert], dropped: [], decisions: [decision, decision], open: () => true, now: 10 });
    expect(a.acknowledge('a1', 'Bob', 20, 'cli')).toBe('acknowledged');
    expect(a.acknowledge('a1', 'Bob', 21, 'cli')).toBe('already');
    expect(a.acknowledge('zz', 'Bob', 21, 'cli')).toBe('unknown');
    // The engine saving the alert again does not undo the acknowledgement.
    a.record({ alerts: [{ ...alert, sent: 2 }], dropped: [], decisions: [], open: () => true, now: 30 });
    const s = a.addSilence({ site: 's', startsAt: 0, endsAt: 100, by: 'Bob', comment: 'works' }, 5);
    a.close();
    const b = new AlertStore(f);
    expect(b.working()).toEqual([{ ...alert, sent: 2, ackedBy: 'Bob', ackedAt: 20 }]);
    expect(b.decisionsSince(0)).toEqual([decision]);
    expect(b.silences(50)).toEqual([{ ...s }]);
    expect(b.endSilence(s.id, 60)).toBe(true);
    expect(b.silences(60)).toEqual([]);
    b.close();
  });

  it('a resolved alert cannot be acknowledged; a closed one leaves the working set; a dropped one is gone', () => {
    const a = new AlertStore(file());
    a.record({ alerts: [{ ...alert, state: 'resolved', resolvedSent: true }], dropped: [], decisions: [], open: () => false, now: 1 });
    expect(a.acknowledge('a1', 'Bob', 2, 'cli')).toBe('resolved');
    expect(a.working()).toEqual([]);
    expect(a.list({ all: true })).toHaveLength(1);
    a.record({ alerts: [], dropped: [alert], decisions: [], open: () => true, now: 3 });
    expect(a.get('a1')).toBeUndefined();
    a.close();
  });
});
