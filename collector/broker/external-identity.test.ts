import { describe, expect, it } from 'vitest';
import type { AgentDirectory } from '../agents/directory.ts';
import type { AgentEntry } from '../agents/schema.ts';
import { identifySender } from './external-identity.ts';

const entries = new Map<string, AgentEntry>(
  [
    { id: 'north-1', site: 'north' },
    { id: 'south-1', site: 'south' },
    { id: 'north-2', site: 'north', revokedAt: '2026-01-01T00:00:00.000Z' },
  ].map((e) => [e.id, { ...e, passwordHash: 'unused', createdAt: '2025-09-01T00:00:00.000Z' }]),
);
const agents: AgentDirectory = { lookup: (id) => entries.get(id), reload: () => undefined, generation: () => 1, registered: () => entries.size };
const body = (o: object) => Buffer.from(JSON.stringify(o));

describe('who sent a message through the external broker', () => {
  it('takes the site from the topic and the agent from the status topic or the body, held to the registry', () => {
    expect(identifySender('hallmonitor/v1/north/samples', body({ agent: 'north-1', site: 'north' }), agents)).toEqual({ ok: true, who: { agent: 'north-1', site: 'north' } });
    expect(identifySender('hallmonitor/v1/north/status/north-1', body({}), agents)).toEqual({ ok: true, who: { agent: 'north-1', site: 'north' } });
    // The body's own site is the ingest's to check against this identity (counted as site-mismatch there).
    expect(identifySender('hallmonitor/v1/north/events', body({ agent: 'north-1', site: 'south' }), agents)).toMatchObject({ ok: true });
  });

  it('rejects, with a reason, what no registered agent of that site may send', () => {
    const reason = (topic: string, payload: Buffer) => {
      const r = identifySender(topic, payload, agents);
      return r.ok ? 'ok' : r.reason;
    };
    expect(reason('hallmonitor/v1/north/samples', body({ agent: 'south-1' }))).toBe('foreign-agent');
    expect(reason('hallmonitor/v1/north/status/south-1', body({}))).toBe('foreign-agent');
    expect(reason('hallmonitor/v1/north/samples', body({ agent: 'ghost-1' }))).toBe('unknown-agent');
    expect(reason('hallmonitor/v1/north/samples', body({ agent: 'north-2' }))).toBe('revoked-agent');
    expect(reason('hallmonitor/v1/north/config', body({}))).toBe('topic');
    expect(reason('elsewhere/north/samples', body({}))).toBe('topic');
  });

  it('leaves a body without a readable agent to the ingest, which counts it invalid', () => {
    expect(identifySender('hallmonitor/v1/north/samples', Buffer.from('not json'), agents)).toEqual({ ok: true, who: { agent: '', site: 'north' } });
  });
});
