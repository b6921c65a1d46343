import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../contract/index.ts';
import { hashPassword } from '../agents/password.ts';
import type { AgentEntry } from '../agents/schema.ts';
import { mosquittoFiles } from './external-mosquitto.ts';

const AT = '2026-01-05T08:00:00.000Z';
const entry = async (id: string, site: string, extra: Partial<AgentEntry> = {}): Promise<AgentEntry> => ({
  id,
  site,
  passwordHash: await hashPassword(`${id}-pw`),
  createdAt: AT,
  ...extra,
});

describe('mosquitto-files', () => {
  it('gives each active agent its site\'s topics and its own status, the collectors read everything and write configs', async () => {
    const agents = [await entry('north-1', 'north'), await entry('south-1', 'south'), await entry('south-2', 'south', { revokedAt: AT })];
    const collectors = [{ username: 'hallmonitor-collector-1', passwordHash: await hashPassword('c1') }];
    const files = mosquittoFiles(agents, collectors, AT);
    expect(files).toMatchObject({ agents: 2, revokedLeftOut: 1 });
    const users = files.passwordFile.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':')[0]);
    expect(users).toEqual(['hallmonitor-collector-1', 'north-1', 'south-1']);
    expect(files.passwordFile).toContain(`north-1:${agents[0]!.passwordHash}\n`);
    const blocks = files.aclFile.trimEnd().split('\n\n').map((b) => b.split('\n').filter((l) => !l.startsWith('#')).join('\n'));
    expect(blocks).toEqual([
      'user hallmonitor-collector-1\ntopic read hallmonitor/v1/+/samples\ntopic read hallmonitor/v1/+/events\ntopic read hallmonitor/v1/+/status/+\ntopic write hallmonitor/v1/+/config',
      'user north-1\ntopic write hallmonitor/v1/north/samples\ntopic write hallmonitor/v1/north/events\ntopic write hallmonitor/v1/north/status/north-1\ntopic read hallmonitor/v1/north/config',
      'user south-1\ntopic write hallmonitor/v1/south/samples\ntopic write hallmonitor/v1/south/events\ntopic write hallmonitor/v1/south/status/south-1\ntopic read hallmonitor/v1/south/config',
    ]);
    expect(files.aclFile).not.toContain('south-2');
  });

  it('refuses, naming them, agents whose hash Mosquitto cannot read, and clashing user names', async () => {
    const legacy = await entry('old-1', 'north', { passwordHash: await hashPassword('x', { scrypt: { N: 1024, r: 8, p: 1 } }) });
    expect(() => mosquittoFiles([legacy], [], AT)).toThrow(ConfigError);
    expect(() => mosquittoFiles([legacy], [], AT)).toThrow('agents "old-1": password stored as scrypt');
    const c = { username: 'north-1', passwordHash: await hashPassword('c') };
    const north = await entry('north-1', 'north');
    expect(() => mosquittoFiles([north], [c], AT)).toThrow('"north-1" is also an agent id');
    expect(() => mosquittoFiles([], [{ ...c, username: 'hm-c' }, { ...c, username: 'hm-c' }], AT)).toThrow('"hm-c" is given twice');
  });
});
