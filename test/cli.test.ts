import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { agentConfigSchema } from '../agent/config/schema.ts';
import { makeTempDir } from './harness/index.ts';

const bin = (name: string) => fileURLToPath(new URL(`../bin/${name}.js`, import.meta.url));
const run = (name: string, args: string[]) => spawnSync(process.execPath, [bin(name), ...args], { encoding: 'utf8', timeout: 30_000 });
const dir = makeTempDir('cli');
afterAll(() => dir.remove());

describe('command line', () => {
  it('both commands explain themselves', () => {
    const agent = run('hallmonitor-agent', ['--help']);
    expect(agent.status).toBe(0);
    expect(agent.stdout).toMatch(/Usage: hallmonitor-agent[\s\S]*run[\s\S]*check-config/);
    const collector = run('hallmonitor-collector', ['--help']);
    expect(collector.status).toBe(0);
    expect(collector.stdout).toMatch(/Usage: hallmonitor-collector[\s\S]*run[\s\S]*agent/);
  });

  it('a wrong config key ends with exit code 2 and one line naming file, path and expectation', () => {
    const file = join(dir.path, 'agent.yaml');
    writeFileSync(file, 'agent: west-1\nsite: west\nbroker:\n  url: mqtt://127.0.0.1:1\n  password: x\nbatch:\n  maxSampels: 10\n');
    const r = run('hallmonitor-agent', ['run', '-c', file]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`${file}: batch.maxSampels: unknown key; did you mean "maxSamples"?`]);

    const cfile = join(dir.path, 'collector.yaml');
    writeFileSync(cfile, 'influx:\n  url: not-a-url\n');
    const c = run('hallmonitor-collector', ['check-config', '-c', cfile]);
    expect(c.status).toBe(2);
    expect(c.stderr.trim().split('\n')).toHaveLength(1);
    expect(c.stderr).toContain(`${cfile}: influx.url: `);
  });

  it('agent add prints a working agent.yaml and stores only a hash', () => {
    mkdirSync(join(dir.path, 'sites'), { recursive: true });
    writeFileSync(join(dir.path, 'sites', 'west.yaml'), 'id: west\nname: West Academy\n');
    writeFileSync(join(dir.path, 'collector.yaml'), 'influx:\n  url: http://127.0.0.1:8086\n');
    const cfg = join(dir.path, 'collector.yaml');
    const r = run('hallmonitor-collector', ['agent', 'add', '--site', 'west', '--broker-url', 'mqtt://127.0.0.1:1883', '-c', cfg]);
    expect(r.status, r.stderr).toBe(0);
    const snippet = agentConfigSchema.parse(parse(r.stdout));
    expect(snippet).toMatchObject({ agent: 'west-1', site: 'west', broker: { url: 'mqtt://127.0.0.1:1883' } });
    const list = run('hallmonitor-collector', ['agent', 'list', '-c', cfg]);
    expect(list.stdout).toMatch(/^west-1\twest\tactive since /);
    expect(list.stdout).not.toContain(snippet.broker.password!);

    const unknown = run('hallmonitor-collector', ['agent', 'add', '--site', 'east', '-c', cfg]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/no site "east"/);
  });
});
