import { describe, expect, it } from 'vitest';
import { createLogger, encodeMessage, type AgentStatus } from '../../contract/index.ts';
import type { LineChunk } from '../storage/line.ts';
import { createStatusHandler } from './agent-status.ts';

const NOW = Date.UTC(2025, 8, 1, 8, 0, 0, 42);
const from = { agent: 'north-1', site: 'north-primary' };
const status = (o: Partial<AgentStatus> = {}): AgentStatus => ({
  v: 1,
  ...from,
  state: 'online',
  version: '0.1.0 "dev"',
  startedAt: NOW - 60_000,
  at: NOW - 1_000,
  uptimeSeconds: 60,
  ...o,
});

function setup() {
  const written: LineChunk[] = [];
  const handler = createStatusHandler({ writer: { write: (c) => written.push(c) }, log: createLogger('test', 'silent'), now: () => NOW });
  return { handler, written };
}

describe('agent status handler', () => {
  it('writes one agent_status line, stamped with the time the collector heard it', () => {
    const { handler, written } = setup();
    handler.handle(encodeMessage(status({ configRevision: 'r7' })), from);
    handler.handle(encodeMessage(status({ state: 'offline' })), from);
    expect(written).toEqual([
      { text: `agent_status,agent=north-1,site=north-primary online=1,uptime_s=60,version="0.1.0 \\"dev\\"",config_revision="r7" ${NOW}`, points: 1 },
      { text: `agent_status,agent=north-1,site=north-primary online=0,uptime_s=60,version="0.1.0 \\"dev\\"" ${NOW}`, points: 1 },
    ]);
    expect(handler.stats()).toEqual({ received: 2, rejected: 0, online: { 'north-1': false } });
  });

  it('carries the spool: depth, age of the oldest waiting batch, and what its bounds dropped', () => {
    const { handler, written } = setup();
    const spool = { batches: 3, samples: 120, bytes: 4_096, droppedBatches: 1, droppedSamples: 40 };
    handler.handle(encodeMessage(status({ spool: { ...spool, oldestAt: NOW - 3_600_000 } })), from);
    handler.handle(encodeMessage(status({ spool: { ...spool, batches: 0, samples: 0, bytes: 0 } })), from);
    // Between the series key and the timestamp (the version string holds a space).
    const fields = (i: number) => written[i]?.text.replace(/^\S+ /, '').replace(/ \d+$/, '');
    expect(fields(0)).toBe(
      'online=1,uptime_s=60,version="0.1.0 \\"dev\\"",spool_batches=3,spool_samples=120,spool_bytes=4096,spool_dropped_batches=1,spool_dropped_samples=40,' +
        `spool_oldest_at=${NOW - 3_600_000}`,
    );
    expect(fields(1)).toContain('spool_batches=0,spool_samples=0,spool_bytes=0,spool_dropped_batches=1,spool_dropped_samples=40');
    expect(fields(1)).not.toContain('spool_oldest_at');
  });

  it('refuses a status that names another agent or site, and writes nothing', () => {
    const { handler, written } = setup();
    handler.handle(encodeMessage(status({ site: 'south-academy' })), from);
    handler.handle(Buffer.from('{'), from);
    expect(written).toEqual([]);
    expect(handler.stats().rejected).toBe(2);
  });
});
