import { describe, expect, it } from 'vitest';
import { causesOf, mainCause, slowAckReport, type ProbeEvent } from './stall-report.ts';

describe('stall report: why a PUBACK was slow', () => {
  const ack = { at: 1_000, ms: 300 };

  it('a WAL commit that blocked the loop is the WAL, not "not on a core"', () => {
    const events: ProbeEvent[] = [{ kind: 'wal', op: 'append', at: 1_250, ms: 200 }, { kind: 'loop', at: 1_251, ms: 200, cpuMs: 2 }];
    const c = causesOf(ack, events);
    expect(c['WAL fsync']).toBe(200);
    expect(c['collector not on a core']).toBeCloseTo(0, 0);
    expect(mainCause(c)).toBe('WAL fsync');
    expect(Object.values(c).reduce((a, b) => a + b, 0)).toBeCloseTo(300, 5);
  });

  it('a stall with little CPU is the machine; with CPU, the collector\'s own work less its collections', () => {
    expect(mainCause(causesOf(ack, [{ kind: 'loop', at: 1_200, ms: 180, cpuMs: 10 }]))).toBe('collector not on a core');
    const own = causesOf(ack, [{ kind: 'loop', at: 1_200, ms: 180, cpuMs: 170 }, { kind: 'gc', at: 1_150, ms: 40 }]);
    expect(own["collector's own work"]).toBeCloseTo(130, 5);
    expect(own.collection).toBe(40);
    expect(mainCause(own)).toBe("collector's own work");
  });

  it('events outside the PUBACK count only for their overlap; nothing seen is outside the collector', () => {
    const c = causesOf(ack, [{ kind: 'loop', at: 1_050, ms: 100, cpuMs: 0 }, { kind: 'wal', op: 'append', at: 900, ms: 50 }]);
    expect(c['collector not on a core']).toBe(50);
    expect(c['WAL fsync']).toBe(0);
    expect(mainCause(causesOf(ack, []))).toBe('outside the collector');
  });

  it('reports only PUBACKs over the bound, with a summary', () => {
    const lines = slowAckReport([{ at: 0, ms: 100 }, { at: 500, ms: 150 }], []);
    expect(lines[0]).toBe('PUBACKs over 100 ms: 1, by main cause: outside the collector: 1 (150 ms)');
    expect(lines).toHaveLength(2);
  });
});
