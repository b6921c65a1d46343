import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generatePassword, hashPassword } from '../../collector/agents/password.ts';
import type { AgentEntry } from '../../collector/agents/schema.ts';
import { school, siteDevices } from './schools.ts';

/**
 * The collector's agent registry and site files for `n` schools, as `agent add` and a provider's site files
 * would leave them: one agent per school with its own password (the registry's real scrypt hash), and the
 * school's devices with their checks at the bench's poll interval (the alert engine's staleness uses it).
 * agents.yaml is written once: `agent add` rewrites the file per agent, which is minutes for a thousand.
 */
export async function writeRegistry(dir: string, n: number, pollSeconds: number, at: Date): Promise<{ index: number; password: string }[]> {
  mkdirSync(join(dir, 'sites'), { recursive: true });
  const out: { index: number; password: string }[] = [];
  const entries: AgentEntry[] = [];
  for (let i = 0; i < n; i += 50) {
    const slice = Array.from({ length: Math.min(50, n - i) }, (_, k) => i + k);
    const hashed = await Promise.all(slice.map(async (index) => {
      const password = generatePassword();
      return { index, password, hash: await hashPassword(password) };
    }));
    for (const h of hashed) {
      const s = school(h.index);
      entries.push({ id: s.agent, site: s.site, passwordHash: h.hash, createdAt: at.toISOString() });
      out.push({ index: h.index, password: h.password });
      writeFileSync(join(dir, 'sites', `${s.site}.yaml`), stringify({ id: s.site, name: `Fleet ${s.kind} school ${h.index + 1}`, devices: siteDevices(s, pollSeconds) }));
    }
  }
  writeFileSync(join(dir, 'agents.yaml'), stringify({ agents: entries }), { mode: 0o600 });
  return out;
}
