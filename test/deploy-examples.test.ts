import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../contract/index.ts';
import { agentConfigSchema } from '../agent/config/schema.ts';
import { loadCollectorConfig, loadSites } from '../collector/config/load.ts';

/** The examples a provider copies must pass the same schemas the programs use, so they never drift. */
const example = (path: string) => fileURLToPath(new URL(`../deploy/examples/${path}`, import.meta.url));

describe('deploy/examples', () => {
  it('collector.yaml and its sites validate', () => {
    const config = loadCollectorConfig(example('collector.yaml'));
    const sites = loadSites(config.sitesDir);
    expect(sites.map((s) => s.id)).toContain('north-primary');
    expect(sites.every((s) => s.devices.length > 0)).toBe(true);
  });
  it('agent.yaml validates', () => {
    expect(loadConfigFile(example('agent.yaml'), agentConfigSchema).site).toBe('north-primary');
  });
});
