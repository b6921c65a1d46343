import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generatePassword, hashPassword } from '../../collector/agents/password.ts';
import type { AgentEntry } from '../../collector/agents/schema.ts';

export interface SimAgent {
  agent: string;
  site: string;
  password: string;
}

/**
 * `n` schools, one agent each, with their own credentials (the registry's real hashes) and a site file of a
 * few devices each, so the collector publishes `n` retained configs as it would in production. The agents
 * file is written once: `agent add` rewrites the whole file per agent, which is minutes for a thousand.
 */
export async function writeRegistry(dir: string, n: number, at: Date): Promise<SimAgent[]> {
  const agents: SimAgent[] = [];
  const entries: AgentEntry[] = [];
  for (let i = 1; i <= n; i++) {
    const site = `conn-school-${String(i).padStart(4, '0')}`;
    const agent = `${site}-1`;
    const password = generatePassword();
    entries.push({ id: agent, site, passwordHash: await hashPassword(password), createdAt: at.toISOString() });
    agents.push({ agent, site, password });
    const devices = ['router', 'core', 'ap-1', 'printer'].map((name, d) => ({ name, address: `127.0.${(i >> 8) & 255}.${(i & 255) || 1}`, role: d === 0 ? 'internet' : 'other' }));
    writeFileSync(join(dir, 'sites', `${site}.yaml`), stringify({ id: site, name: `School ${i}`, devices }));
  }
  writeFileSync(join(dir, 'agents.yaml'), stringify({ agents: entries }), { mode: 0o600 });
  return agents;
}
