import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../contract/index.ts';
import { openAgentDirectory } from './directory.ts';
import { addAgent, revokeAgent } from './store.ts';

const FAST = { scrypt: { N: 1024, r: 8, p: 1 } };
let dir: string;
let file: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hm-directory-'));
  file = join(dir, 'agents.yaml');
  await addAgent(file, { id: 'north-1', site: 'north' }, FAST);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('agent directory', () => {
  it('looks agents up by id', () => {
    const agents = openAgentDirectory(file);
    expect(agents.lookup('north-1')).toMatchObject({ id: 'north-1', site: 'north' });
    expect(agents.lookup('south-1')).toBeUndefined();
  });

  it('refuses to open a broken file, naming it', () => {
    writeFileSync(file, 'agents: 3\n');
    expect(() => openAgentDirectory(file)).toThrow(`${file}: agents: `);
  });

  it('sees a revoke and an add by the admin command on the next lookup', async () => {
    const agents = openAgentDirectory(file);
    expect(agents.lookup('north-1')?.revokedAt).toBeUndefined();
    revokeAgent(file, 'north-1');
    await addAgent(file, { id: 'south-1', site: 'south' }, FAST);
    expect(agents.lookup('north-1')?.revokedAt).toEqual(expect.any(String));
    expect(agents.lookup('south-1')).toMatchObject({ site: 'south' });
  });

  it('keeps the last good entries when the file turns bad, and reports that once per change', () => {
    const errors: Error[] = [];
    const agents = openAgentDirectory(file, { onReloadError: (err) => errors.push(err) });
    writeFileSync(file, 'agents:\n  - id: North\n');
    expect(agents.lookup('north-1')).toMatchObject({ site: 'north' });
    expect(agents.lookup('north-1')).toMatchObject({ site: 'north' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ConfigError);
    expect(() => agents.reload()).toThrow(`${file}: agents[0].id`);
    expect(agents.lookup('north-1')).toMatchObject({ site: 'north' });
  });
});

describe('agent directory generation', () => {
  it('changes when the file changed, and only then', async () => {
    const agents = openAgentDirectory(file);
    const first = agents.generation();
    expect(agents.generation()).toBe(first);
    revokeAgent(file, 'north-1');
    const second = agents.generation();
    expect(second).not.toBe(first);
    expect(agents.generation()).toBe(second);
  });
});
