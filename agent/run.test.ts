import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WIRE_VERSION, createLogger, type Sample, type SiteConfigMessage } from '../contract/index.ts';
import { freeTcpPort, makeTempDir, waitFor, type TempDir } from '../test/harness/index.ts';
import { createCheckSet } from './check-set.ts';
import { agentConfigSchema } from './config/schema.ts';
import type { ResolvedAgentConfig } from './config/load.ts';
import { startAgent, type RunningAgent } from './run.ts';

const log = createLogger('test', 'silent');
let dir: TempDir | undefined;
let agent: RunningAgent | undefined;
afterEach(async () => {
  await agent?.stop();
  dir?.remove();
  agent = undefined;
});

async function config(dataDir: string, extra: object = {}): Promise<ResolvedAgentConfig> {
  // A port nothing listens on: the collector is unreachable for the whole test.
  const url = `mqtt://127.0.0.1:${await freeTcpPort()}`;
  const parsed = agentConfigSchema.parse({ agent: 'west-1', site: 'west', broker: { url, password: 'x' }, dataDir, ...extra });
  return { ...parsed, file: 'agent.yaml', dataDir, broker: { ...parsed.broker, username: 'west-1', password: 'x' } };
}

describe('agent without its collector', () => {
  it('polls with the site config saved on disk', async () => {
    dir = makeTempDir('agent-saved');
    const saved: SiteConfigMessage = {
      v: WIRE_VERSION,
      site: 'west',
      name: 'West Academy',
      timezone: 'Europe/London',
      revision: 'r1',
      publishedAt: Date.now(),
      devices: [{ name: 'gateway', address: '127.0.0.1', role: 'internet', checks: { ping: { intervalSeconds: 1, probes: 1, probeIntervalSeconds: 0.2, timeoutSeconds: 1 } } }],
    };
    mkdirSync(dir.path, { recursive: true });
    writeFileSync(join(dir.path, 'site-config.json'), JSON.stringify(saved));
    agent = startAgent(await config(dir.path), { log, checks: createCheckSet() });
    expect(agent.devices()).toMatchObject({ source: 'saved', revision: 'r1' });
    // Batches wait in the spool on disk while the broker is away; nothing is published.
    await waitFor(() => agent!.outbox.spoolStatus().batches >= 2, { timeoutMs: 10_000, what: 'two batches of ping results in the spool' });
    expect(agent.link.connected).toBe(false);
    expect(agent.outbox.stats.batchesSent).toBe(0);
    expect(agent.health().fields).toMatchObject({ spool_dropped_samples: 0, connected: 0 });
    expect(existsSync(join(dir.path, 'spool.db'))).toBe(true);
  });

  it('a local device list overrides central config; an unreadable saved config is ignored', async () => {
    dir = makeTempDir('agent-local');
    writeFileSync(join(dir.path, 'site-config.json'), '{"v":1,"site":');
    agent = startAgent(await config(dir.path), { log, checks: createCheckSet() });
    expect(agent.devices().source).toBe('none');
    await agent.stop();
    agent = startAgent(await config(dir.path, { devices: [{ name: 'nas', address: '127.0.0.1' }] }), { log, checks: createCheckSet() });
    expect(agent.devices()).toMatchObject({ source: 'local', devices: [{ name: 'nas' }] });
  });

  it('drops an invalid sample from a check, counts it, and keeps the rest of the batch', async () => {
    dir = makeTempDir('agent-invalid');
    const good = (time: number): Sample => ({ measurement: 'ping', tags: { device: 'gw' }, fields: { up: 1 }, time });
    const checks = createCheckSet();
    checks.ping = { kind: 'ping', run: async (_d, _c, ctx) => [good(ctx.now()), { ...good(ctx.now()), fields: { up: Number.NaN } }] };
    const devices = [{ name: 'gw', address: '127.0.0.1', checks: { ping: { intervalSeconds: 1 } } }];
    agent = startAgent(await config(dir.path, { devices }), { log, checks });
    await waitFor(() => agent!.outbox.spoolStatus().batches >= 1, { timeoutMs: 10_000, what: 'a batch' });
    expect(agent.health().fields.samples_invalid).toBeGreaterThanOrEqual(1);
  });
});
