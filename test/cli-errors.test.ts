import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { freeTcpPort, makeTempDir } from './harness/index.ts';

/**
 * What a person sees when something is wrong, through the real bins: one line on stderr that names what,
 * where and what to do, exit 2 for their mistakes; exit 1 only for a bug, its stack only under --debug.
 */

// Each case starts one to three node processes through tsx: seconds each on a busy two-core machine.
vi.setConfig({ testTimeout: 180_000 });

const bin = (name: string) => fileURLToPath(new URL(`../bin/${name}.js`, import.meta.url));
const CONTRACT_CLI = fileURLToPath(new URL('../contract/cli.ts', import.meta.url));

interface Result { status: number | null; stdout: string; stderr: string }

function run(name: string, args: string[], cwd?: string): Promise<Result> {
  return runNode([bin(name), ...args], cwd);
}

function runNode(args: string[], cwd?: string): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, HALLMONITOR_DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Exit 2 and exactly one line on stderr, which is returned. */
function oneLine(r: Result): string {
  expect(r.status, r.stderr).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

const dir = makeTempDir('cli-errors');
const cfg = join(dir.path, 'collector.yaml');
const SITE = 'id: west\nname: West Academy\ntimezone: Europe/London\n';
let closedPort: number;

beforeAll(async () => {
  closedPort = await freeTcpPort(); // handed out and never listened on: InfluxDB "down"
  mkdirSync(join(dir.path, 'sites'));
  writeFileSync(join(dir.path, 'sites', 'west.yaml'), SITE);
  writeFileSync(cfg, `influx:\n  url: http://127.0.0.1:${closedPort}\n`);
  writeFileSync(join(dir.path, 'a-file'), 'not a folder\n');
});
afterAll(() => dir.remove());

describe('no arguments', () => {
  it.each(['hallmonitor-agent', 'hallmonitor-collector'])('%s prints its help, not a missing config file', async (name) => {
    const r = await run(name, [], dir.path);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: ${name} \\[options\\] \\[command\\]`));
    expect(r.stdout).toContain('check-config');
    expect(r.stderr).toBe('');
  });
});

describe('usage mistakes commander finds', () => {
  it('an unknown option, a missing required option and an unknown command: one line, exit 2', async () => {
    expect(oneLine(await run('hallmonitor-agent', ['check-config', '--bogus']))).toBe(
      "hallmonitor-agent check-config: unknown option '--bogus' (see hallmonitor-agent check-config --help)",
    );
    expect(oneLine(await run('hallmonitor-collector', ['agent', 'add', '-c', cfg]))).toMatch(/^hallmonitor-collector agent add: required option '--site <id>' not specified/);
    expect(oneLine(await run('hallmonitor-collector', ['repot', '--site', 'west']))).toMatch(/^hallmonitor-collector: unknown command "repot"; expected one of run, check-config, agent, .*report/);
  });
});

describe('report', () => {
  it('--month 2026-13 names the option and the form expected', async () => {
    expect(oneLine(await run('hallmonitor-collector', ['report', '--site', 'west', '--month', '2026-13', '-c', cfg]))).toBe(
      '--month: expected a month as YYYY-MM (e.g. "2026-10"), got "2026-13"',
    );
    for (const month of ['2026-00', 'last']) {
      expect(oneLine(await run('hallmonitor-collector', ['report', '--site', 'west', '--month', month, '-c', cfg]))).toMatch(/^--month: /);
    }
  });

  it('with InfluxDB down names the setting that gave the URL and what to do', async () => {
    const out = join(dir.path, 'reports');
    const line = oneLine(await run('hallmonitor-collector', ['report', '--site', 'west', '--month', '2026-01', '--out', out, '-c', cfg]));
    expect(line).toBe(
      `${cfg}: influx.url: cannot reach InfluxDB at http://127.0.0.1:${closedPort} (influx.url in ${cfg}): ECONNREFUSED (connection refused: nothing listens there); start InfluxDB or correct influx.url`,
    );
  });

  it('--out that is a file, or /dev/full, is refused before any work', async () => {
    const file = join(dir.path, 'a-file');
    expect(oneLine(await run('hallmonitor-collector', ['report', '--site', 'west', '--month', '2026-01', '--out', file, '-c', cfg]))).toBe(
      `--out ${file}: not a folder; give a folder for the files (it is created if missing)`,
    );
    expect(oneLine(await run('hallmonitor-collector', ['report', '--site', 'west', '--month', '2026-01', '--out', '/dev/full', '-c', cfg]))).toMatch(/^--out \/dev\/full: not a folder/);
  });
});

describe('agent add', () => {
  it('validates --site before it is used in a suggestion or a file name', async () => {
    const line = oneLine(await run('hallmonitor-collector', ['agent', 'add', '--site', 'Bad Id!', '--broker-url', 'mqtt://127.0.0.1:1883', '-c', cfg]));
    expect(line).toBe('--site: expected a lower-case id: letters, digits, "-" or "_", at most 63 characters, got "Bad Id!"');
    expect(line).not.toContain('.yaml');
    expect(oneLine(await run('hallmonitor-collector', ['agent', 'add', '--site', '../west', '-c', cfg]))).toMatch(/^--site: /);
    expect(oneLine(await run('hallmonitor-collector', ['agent', 'add', '--site', 'west', '--id', 'West 1', '-c', cfg]))).toMatch(/^--id: /);
  });

  it('has no placeholder broker URL: required when broker.host names no address, derived when it does', async () => {
    expect(oneLine(await run('hallmonitor-collector', ['agent', 'add', '--site', 'west', '-c', cfg]))).toMatch(
      /^--broker-url: required: broker\.host in .*collector\.yaml is "0\.0\.0\.0" \(every interface\)/,
    );
    expect(oneLine(await run('hallmonitor-collector', ['agent', 'add', '--site', 'west', '--broker-url', 'collector:1883', '-c', cfg]))).toMatch(/^--broker-url: expected a URL/);

    const bound = join(dir.path, 'bound.yaml');
    writeFileSync(bound, `broker:\n  host: 127.0.0.1\n  port: 18830\ninflux:\n  url: http://127.0.0.1:${closedPort}\n`);
    const r = await run('hallmonitor-collector', ['agent', 'add', '--site', 'west', '--id', 'west-9', '-c', bound]);
    expect(r.status, r.stderr).toBe(0);
    expect(parse(r.stdout)).toMatchObject({ agent: 'west-9', site: 'west', broker: { url: 'mqtt://127.0.0.1:18830' } });
    expect(r.stdout).not.toContain('example.net');
  });
});

describe('config files', () => {
  const laughs = () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    'abcdefgh'.split('').forEach((prev, i) => lines.push(`${'bcdefghi'[i]}: &${'bcdefghi'[i]} [${Array(9).fill(`*${prev}`).join(',')}]`));
    return `${lines.join('\n')}\n`;
  };

  it('a billion-laughs YAML is one line naming the file, in both programs', async () => {
    const file = join(dir.path, 'laughs.yaml');
    writeFileSync(file, laughs());
    expect(oneLine(await run('hallmonitor-agent', ['check-config', '-c', file]))).toMatch(new RegExp(`^${file}: not valid config YAML: Excessive alias count`));
    expect(oneLine(await run('hallmonitor-collector', ['check-config', '-c', file]))).toMatch(new RegExp(`^${file}: not valid config YAML: `));
  });

  it('a misspelt key is named by its own path, with the key meant', async () => {
    writeFileSync(join(dir.path, 'sites', 'west.yaml'), `${SITE}devices:\n  - name: sw1\n    address: 10.20.0.1\n  - name: ap1\n    adress: 10.20.0.2\n`);
    try {
      expect(oneLine(await run('hallmonitor-collector', ['check-config', '-c', cfg]))).toBe(
        `${join(dir.path, 'sites', 'west.yaml')}: devices[1].adress: unknown key; did you mean "address"?`,
      );
    } finally {
      writeFileSync(join(dir.path, 'sites', 'west.yaml'), SITE);
    }
  });

  // Every case of the list is in contract/address.test.ts; through the bin, one of each kind of refusal.
  it.each(['10.20.0.300', '255.255.255.255', '%eth0'])(
    'a device address %s is refused by check-config, naming file, path and the address',
    async (address) => {
      const file = join(dir.path, 'sites', 'west.yaml');
      writeFileSync(file, `${SITE}devices:\n  - name: sw1\n    address: 10.20.0.1\n  - name: bad\n    address: "${address}"\n`);
      try {
        const line = oneLine(await run('hallmonitor-collector', ['check-config', '-c', cfg]));
        expect(line).toContain(`${file}: devices[1].address: expected an IP address or host name; "${address}" `);
      } finally {
        writeFileSync(file, SITE);
      }
    },
  );

  it('the same addresses are refused in an agent.yaml device list', async () => {
    const file = join(dir.path, 'agent.yaml');
    writeFileSync(file, 'agent: west-1\nsite: west\nbroker:\n  url: mqtt://127.0.0.1:1883\n  password: x\ndevices:\n  - name: bad\n    address: 10.20.0.300\n');
    expect(oneLine(await run('hallmonitor-agent', ['check-config', '-c', file]))).toMatch(new RegExp(`^${file}: devices\\[0\\]\\.address: .*"10\\.20\\.0\\.300" is not a valid IPv4 address`));
  });
});

describe('discover', () => {
  it('--out into a missing folder is refused before the sweep; /dev/full after it, in one line', async () => {
    expect(oneLine(await run('hallmonitor-agent', ['discover', '127.0.0.1/32', '--out', '/nonexistent/devices.yaml']))).toMatch(
      /^hallmonitor-agent discover: --out \/nonexistent\/devices\.yaml: cannot write into \/nonexistent: ENOENT/,
    );
    const r = await run('hallmonitor-agent', ['discover', '127.0.0.1/32', '--no-ping', '--timeout', '0.2', '--out', '/dev/full']);
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(/^hallmonitor-agent discover: --out \/dev\/full: cannot write: ENOSPC/);
  });
});

describe('a bug', () => {
  const script = (debug: boolean) =>
    `import { exitOnError } from ${JSON.stringify(CONTRACT_CLI)}; exitOnError(new TypeError("x is not a function\\nsecond line"), "hallmonitor-agent", ${debug});`;

  it('is one line and exit 1, with a pointer to --debug', async () => {
    const r = await runNode(['--import', 'tsx', '--input-type=module', '-e', script(false)]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('hallmonitor-agent: internal error: TypeError: x is not a function (run again with --debug for the stack, and please report it)\n');
  });

  it('shows its stack under --debug', async () => {
    const r = await runNode(['--import', 'tsx', '--input-type=module', '-e', script(true)]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^hallmonitor-agent: internal error: TypeError: x is not a function\nTypeError: x is not a function\nsecond line\n\s+at /);
  });

  it('--debug is accepted by every command, and adds the stack to any error', async () => {
    const r = await run('hallmonitor-collector', ['report', '--site', 'west', '--month', '2026-13', '--debug', '-c', cfg]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^--month: expected a month as YYYY-MM .*\nConfigError: --month: .*\n\s+at /);
  });
});
