import { readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError, loadConfigFile } from '../../contract/index.ts';
import { collectorConfigSchema, siteFileSchema, type CollectorConfig, type SiteFile } from './schema.ts';

export interface ResolvedCollectorConfig extends CollectorConfig {
  file: string;
  sitesDir: string;
  agentsFile: string;
}

/** collector.yaml with its relative paths resolved against the file's folder. */
export function loadCollectorConfig(file: string): ResolvedCollectorConfig {
  const config = loadConfigFile(file, collectorConfigSchema);
  const base = dirname(resolve(file));
  return { ...config, file, sitesDir: resolve(base, config.sitesDir), agentsFile: resolve(base, config.agentsFile) };
}

/**
 * Every `*.yaml` in the sites folder is one school. The file name must be the site id, so a tech who
 * finds `north-primary.yaml` knows it holds the site `north-primary` and no other.
 */
export function loadSites(sitesDir: string): SiteFile[] {
  let names: string[];
  try {
    names = readdirSync(sitesDir).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
  } catch (err) {
    throw new ConfigError(`${sitesDir}: cannot read the sites folder: ${(err as NodeJS.ErrnoException).code}`);
  }
  return names.map((name) => {
    const file = join(sitesDir, name);
    const site = loadConfigFile(file, siteFileSchema);
    const expected = basename(name).replace(/\.ya?ml$/, '');
    if (site.id !== expected) throw new ConfigError(`${file}: id: expected "${expected}" (the file name), got "${site.id}"`);
    return site;
  });
}
