import { openAgentDirectory } from './directory.ts';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../contract/index.ts';
import { verifyPassword } from './password.ts';
import { addAgent, loadAgents, revokeAgent } from './store.ts';

const FAST = { scrypt: { N: 1024, r: 8, p: 1 } };
const at = (iso: string) => ({ ...FAST, now: () => new Date(iso) });
let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hm-agents-'));
  file = join(dir, 'agents.yaml');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('agent credential store', () => {
  it('adds an agent: creates the file 0600, stores only the hash, returns the password once', async () => {
    const { password, entry } = await addAgent(file, { id: 'north-1', site: 'north' }, at('2025-09-01T08:00:00.000Z'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain(password);
    const agents = loadAgents(file);
    expect(agents).toEqual([entry]);
    expect(entry).toMatchObject({ id: 'north-1', site: 'north', createdAt: '2025-09-01T08:00:00.000Z' });
    expect(entry.revokedAt).toBeUndefined();
    expect(await verifyPassword(agents[0]!, password)).toBe(true);
    expect(readdirSync(dir)).toEqual(['agents.yaml']); // no temp file left behind
  });

  it('keeps the admin\'s comments and earlier entries when adding', async () => {
    await addAgent(file, { id: 'north-1', site: 'north' }, FAST);
    writeFileSync(file, `# issued by the provider's admin\n${readFileSync(file, 'utf8')}`);
    await addAgent(file, { id: 'south-1', site: 'south' }, FAST);
    expect(readFileSync(file, 'utf8')).toMatch(/^# issued by the provider's admin/);
    expect(loadAgents(file).map((a) => a.id)).toEqual(['north-1', 'south-1']);
  });

  it('refuses a duplicate id, even of a revoked agent, and a malformed id', async () => {
    await addAgent(file, { id: 'north-1', site: 'north' }, FAST);
    await expect(addAgent(file, { id: 'north-1', site: 'south' }, FAST)).rejects.toThrow(`${file}: agent "north-1" already exists`);
    revokeAgent(file, 'north-1');
    await expect(addAgent(file, { id: 'north-1', site: 'north' }, FAST)).rejects.toThrow(/already exists/);
    await expect(addAgent(file, { id: 'North/1', site: 'north' }, FAST)).rejects.toThrow(ConfigError);
    await expect(addAgent(file, { id: 'north-2', site: '#' }, FAST)).rejects.toThrow(/agent site "#"/);
    expect(loadAgents(file)).toHaveLength(1);
  });

  it('serialises concurrent adds in one process without losing one', async () => {
    await Promise.all(['a', 'b', 'c', 'd'].map((id) => addAgent(file, { id, site: 'north' }, FAST)));
    expect(loadAgents(file).map((a) => a.id).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('revokes an agent once; a second revoke keeps the first time; an unknown id is an error', async () => {
    await addAgent(file, { id: 'north-1', site: 'north' }, FAST);
    const revoked = revokeAgent(file, 'north-1', at('2025-10-01T00:00:00.000Z'));
    expect(revoked.revokedAt).toBe('2025-10-01T00:00:00.000Z');
    revokeAgent(file, 'north-1', at('2025-11-01T00:00:00.000Z'));
    expect(loadAgents(file)[0]!.revokedAt).toBe('2025-10-01T00:00:00.000Z');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(() => revokeAgent(file, 'south-9')).toThrow(`${file}: no agent with id "south-9"`);
  });

  it('names the file, the path and the expectation when the content is wrong', () => {
    const cases: Array<[string, string]> = [
      ['agents:\n  - id: North\n', 'agents[0].id: a lower-case id'],
      [
        'agents:\n  - id: north-1\n    site: north\n    passwordHash: hunter2\n    createdAt: 2025-09-01T08:00:00.000Z\n',
        'agents[0].passwordHash: a password hash',
      ],
      ['agents:\n  - id: [\n', 'not valid YAML'],
      ['agent: []\n', 'agent: unknown key; did you mean "agents"?'],
    ];
    for (const [text, expected] of cases) {
      writeFileSync(file, text);
      expect(() => loadAgents(file)).toThrow(ConfigError);
      expect(() => loadAgents(file)).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(:\\d+)?: `));
      expect(() => loadAgents(file)).toThrow(expected);
    }
  });

  it('reports duplicate ids written by hand', async () => {
    await addAgent(file, { id: 'north-1', site: 'north' }, FAST);
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text + text.split('\n').slice(1).join('\n'));
    expect(() => loadAgents(file)).toThrow(`${file}: agents[1].id: duplicate agent id "north-1"`);
  });

  it('a missing file means no agents yet, so a fresh collector starts and refuses everyone', () => {
    expect(existsSync(file)).toBe(false);
    expect(loadAgents(file)).toEqual([]);
    expect(openAgentDirectory(file).lookup('north-1')).toBeUndefined();
  });
});
