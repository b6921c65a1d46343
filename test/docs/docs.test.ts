/**
 * The docs test: README.md and docs/*.md say only what is so. Every relative link resolves (file, folder and
 * `#anchor`); every fenced `yaml` snippet validates against the schema of the file it shows (marks: see
 * snippetMark in markdown.ts); every `hallmonitor-agent …`, `hallmonitor-collector …`, `bash deploy/….sh` and
 * `npm run …` command shown exists, with every long option it shows (one `--help` run per distinct
 * subcommand, through the real bins); the README stays a front door of at most 12 KB and gives the test
 * command CI runs.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { agentConfigSchema } from '../../agent/config/schema.ts';
import { collectorConfigSchema, siteFileSchema } from '../../collector/config/schema.ts';
import { deviceSchema } from '../../contract/index.ts';
import { anchorsOf, type Command, commandOf, commandsOf, parseMarkdown, relativeLinks, snippetMark } from './markdown.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAGES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const read = (page: string) => readFileSync(join(ROOT, page), 'utf8');

const SCHEMAS = { collector: collectorConfigSchema, site: siteFileSchema, agent: agentConfigSchema } as const;

/** zod's first problems, as `path: message`. */
function problems(result: z.ZodSafeParseResult<unknown>): string[] {
  return result.success ? [] : result.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
}

/**
 * A fragment is checked key by key against that key's own schema, so a snippet about `alerts:` need not
 * carry `influx:`; what only the whole file can judge (references between sections) is left to whole files.
 */
function checkFragment(schema: keyof typeof SCHEMAS, doc: unknown): string[] {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return ['(top): expected some keys of the file'];
  const shape = (SCHEMAS[schema] as unknown as z.ZodObject).shape;
  return Object.entries(doc).flatMap(([key, value]) =>
    key in shape ? problems(shape[key]!.safeParse(value)).map((p) => `${key}.${p}`) : [`${key}: not a key of ${schema} files`],
  );
}

export function checkSnippet(body: string): { verdict: 'ok' | 'skipped' | 'unmarked-ok'; problems: string[] } {
  const mark = snippetMark(body);
  if (mark?.kind === 'not-config') return { verdict: 'skipped', problems: [] };
  let doc: unknown;
  try {
    doc = parse(body);
  } catch (err) {
    return { verdict: 'ok', problems: [`not YAML: ${(err as Error).message.split('\n')[0]}`] };
  }
  if (mark?.kind === 'file') return { verdict: 'ok', problems: problems(SCHEMAS[mark.schema].safeParse(doc)) };
  if (mark?.kind === 'fragment' && mark.part === 'device') {
    if (!Array.isArray(doc)) return { verdict: 'ok', problems: ['(top): expected list items of devices'] };
    return { verdict: 'ok', problems: doc.flatMap((d, i) => problems(deviceSchema.safeParse(d)).map((p) => `[${i}].${p}`)) };
  }
  if (mark?.kind === 'fragment') return { verdict: 'ok', problems: checkFragment(mark.schema, doc) };
  // Unmarked (a page written before the marks): it must be a fragment of one of the three files.
  const tries = (Object.keys(SCHEMAS) as (keyof typeof SCHEMAS)[]).map((s) => [s, checkFragment(s, doc)] as const);
  if (tries.some(([, p]) => p.length === 0)) return { verdict: 'unmarked-ok', problems: [] };
  return { verdict: 'ok', problems: tries.map(([s, p]) => `as ${s}: ${p[0]}`) };
}

type Shown = Command & { page: string };

/** What is wrong with the commands shown, given each one's `--help` run: a missing subcommand or option. */
export function judge(commands: Shown[], help: Map<string, { code: number; out: string }>): string[] {
  const wrong: string[] = [];
  for (const c of commands) {
    const key = [c.program, ...c.words].join(' ');
    const { code, out } = help.get(key)!;
    const where = `${c.page}:${c.line}: ${c.text}`;
    if (code !== 0) {
      wrong.push(`${where}: \`${key} --help\` exited ${code}: ${out.split('\n')[0]}`);
      continue;
    }
    if (c.program.startsWith('hallmonitor-') && !new RegExp(`Usage: ${key}( |$)`, 'm').test(out)) {
      wrong.push(`${where}: no such subcommand (${out.split('\n')[0]})`);
    }
    for (const flag of c.flags) {
      if (flag !== '--help' && !new RegExp(`${flag}(?![a-z0-9-])`).test(out)) wrong.push(`${where}: ${flag} is not an option of ${key}`);
    }
  }
  return wrong;
}

describe('docs: links', () => {
  const anchorCache = new Map<string, Set<string>>();
  const anchors = (file: string) => {
    if (!anchorCache.has(file)) anchorCache.set(file, anchorsOf(readFileSync(file, 'utf8')));
    return anchorCache.get(file)!;
  };

  it.each(PAGES)('%s: every relative link resolves, anchors included', (page) => {
    const broken: string[] = [];
    for (const link of relativeLinks(read(page))) {
      const [path, anchor] = link.target.split('#') as [string, string | undefined];
      const file = path === '' ? join(ROOT, page) : resolve(dirname(join(ROOT, page)), decodeURI(path));
      if (!existsSync(file)) {
        broken.push(`${page}:${link.line}: ${link.target}: no such file`);
        continue;
      }
      if (anchor !== undefined && anchor !== '') {
        if (!file.endsWith('.md') || statSync(file).isDirectory()) continue; // GitHub's line anchors in code files
        if (!anchors(file).has(anchor)) broken.push(`${page}:${link.line}: ${link.target}: no heading with that anchor in ${relative(ROOT, file)}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the checker finds a broken file link and a broken anchor, and passes good ones', () => {
    const page = '# Top\n\n## Two words\n\n[a](#two-words) [b](#nope) [c](docs/none.md) `[d](nowhere.md)`\n\n```\n[e](x.md)\n```\n';
    expect(relativeLinks(page).map((l) => l.target)).toEqual(['#two-words', '#nope', 'docs/none.md']);
    expect([...anchorsOf(page)]).toEqual(['top', 'two-words']);
    expect([...anchorsOf('## sites/&lt;site-id&gt;.yaml\n## A\n## A\n')]).toEqual(['sitessite-idyaml', 'a', 'a-1']);
  });
});

describe('docs: YAML snippets', () => {
  const snippets = PAGES.flatMap((page) =>
    parseMarkdown(read(page))
      .fences.filter((f) => f.lang === 'yaml' || f.lang === 'yml')
      .map((f) => ({ where: `${page}:${f.line}`, body: f.body })),
  );

  it('there are snippets to check, most of them marked', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(10);
  });

  it.each(snippets.map((s) => [s.where, s] as const))('%s validates against its schema', (_where, { body }) => {
    expect(checkSnippet(body).problems).toEqual([]);
  });

  it('a snippet with a typo, a bad value or a key of another file fails; a right one passes', () => {
    expect(checkSnippet('# schema: agent\nagent: a1\nsite: s1\nbroker: { url: "mqtt://h:1883", password: x }\n').problems).toEqual([]);
    expect(checkSnippet('# schema: agent\nagent: a1\nsite: s1\n').problems).toEqual(['broker: Invalid input: expected object, received undefined']);
    expect(checkSnippet('# fragment: site device\n- name: sw\n  adress: 10.0.0.1\n').problems.join(' ')).toMatch(/adress/);
    expect(checkSnippet('# fragment: site device\n- name: sw\n  address: 10.0.0.1\n  checks: { snmp: { version: v2 } }\n').problems[0]).toMatch(/version/);
    expect(checkSnippet('# collector.yaml\nretention: { rawDays: 30 }\n').problems[0]).toMatch(/^retention\.rawDays/);
    expect(checkSnippet('# sites/x.yaml\ninflux: { url: "http://h:8086" }\n').problems).toEqual(['influx: not a key of site files']);
    expect(checkSnippet('reprot: { enabled: true }\n').problems).toHaveLength(3);
    expect(checkSnippet('report: { enabled: true }\n').verdict).toBe('unmarked-ok');
    expect(checkSnippet('# not config: a Prometheus rule\ngroups: []\n').verdict).toBe('skipped');
  });
});

describe('docs: commands', () => {
  const shown = PAGES.flatMap((page) => commandsOf(read(page)).map((c) => ({ ...c, page })));
  const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

  const run = (file: string, args: string[]) =>
    new Promise<{ code: number; out: string }>((done) => {
      // Generous: each run is ~2 s of CPU (tsx and the CLI's imports), but the machine may be shared.
      execFile(file, args, { cwd: ROOT, timeout: 240_000, env: { ...process.env, NODE_ENV: 'test' } }, (err, stdout, stderr) => {
        const killed = err !== null && err.killed === true;
        done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: killed ? `timed out after 240 s (${err.signal})` : `${stdout}${stderr}` });
      });
    });

  /** One `--help` per distinct program and subcommand, a few at a time (two cores, shared). */
  async function helpOf(keys: string[]): Promise<Map<string, { code: number; out: string }>> {
    const results = new Map<string, { code: number; out: string }>();
    const queue = [...keys];
    const worker = async () => {
      for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
        const [program, ...words] = key.split(' ');
        const result = program!.startsWith('hallmonitor-')
          ? await run(process.execPath, [join(ROOT, 'bin', `${program}.js`), ...words, '--help'])
          : await run('bash', [program!, '--help']);
        results.set(key, result);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    return results;
  }

  it('the pages show the commands of both programs', () => {
    const programs = new Set(shown.map((c) => `${c.program} ${c.words.join(' ')}`.trim()));
    for (const expected of ['hallmonitor-collector agent add', 'hallmonitor-collector report', 'hallmonitor-agent discover', 'deploy/demo/run.sh']) {
      expect(programs).toContain(expected);
    }
  });

  it('every command shown exists with every option shown (--help exits 0 and lists it)', { timeout: 600_000 }, async () => {
    const ours = shown.filter((c) => c.program !== 'npm' && !c.program.startsWith('.ci/'));
    // A bare program name (`hallmonitor-agent`) is proven by any of its subcommands' runs.
    const runnable = ours.filter((c) => c.words.length > 0 || c.flags.length > 0 || !ours.some((o) => o.program === c.program && o.words.length > 0));
    const keys = [...new Set(runnable.map((c) => [c.program, ...c.words].join(' ')))];
    const help = await helpOf(keys);
    expect(judge(runnable, help)).toEqual([]);
  });

  it('every `npm run` script shown is in package.json (and every bench scenario in bench/scenarios)', () => {
    const wrong: string[] = [];
    for (const c of shown.filter((s) => s.program === 'npm')) {
      const [script, arg] = c.words as [string, string | undefined];
      if (!(script in pkg.scripts)) wrong.push(`${c.page}:${c.line}: npm run ${script}: no such script`);
      else if (script === 'bench' && arg !== undefined && !existsSync(join(ROOT, 'bench/scenarios', `${arg}.ts`))) {
        wrong.push(`${c.page}:${c.line}: npm run bench -- ${arg}: no bench/scenarios/${arg}.ts`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the judge names a failing --help, a missing subcommand and a missing option; a right command passes', () => {
    const cmd = (text: string) => ({ ...commandOf(text, 1)!, page: 'p.md' });
    const help = new Map([
      ['hallmonitor-collector report', { code: 0, out: 'Usage: hallmonitor-collector report [options]\n  --site <id>\n  --month <YYYY-MM>\n' }],
      ['hallmonitor-collector reprot', { code: 0, out: 'Usage: hallmonitor-collector [options] [command]\n' }],
      ['deploy/demo/run.sh', { code: 1, out: 'demo: unknown argument: --help\n' }],
    ]);
    expect(judge([cmd('hallmonitor-collector report --site x --month 2026-10')], help)).toEqual([]);
    expect(judge([cmd('hallmonitor-collector report --site x --keep')], help)).toEqual(['p.md:1: hallmonitor-collector report --site x --keep: --keep is not an option of hallmonitor-collector report']);
    expect(judge([cmd('hallmonitor-collector reprot --site x')], help)[0]).toMatch(/no such subcommand/);
    expect(judge([cmd('bash deploy/demo/run.sh')], help)[0]).toMatch(/exited 1/);
  });

  it('the command finder reads code blocks, continuation lines and inline code, and skips service names', () => {
    const page = [
      '```sh',
      'sudo -u hallmonitor node /opt/hallmonitor/bin/hallmonitor-collector.js agent add --site x \\',
      '  --broker-url mqtt://h:1883 > a.yaml',
      'journalctl -u hallmonitor-agent -f',
      '```',
      '',
      'Run `hallmonitor-agent discover 10.0.0.0/24 [--community c ...]` or `npm run bench -- ping`.',
      '',
      '    bash deploy/demo/run.sh --stop-after 60',
    ].join('\n');
    const found = commandsOf(page).map((c: Command) => [c.program, c.words.join(' '), c.flags.join(' ')]);
    expect(found).toEqual([
      ['hallmonitor-collector', 'agent add', '--site --broker-url'],
      ['deploy/demo/run.sh', '', '--stop-after'],
      ['hallmonitor-agent', 'discover', '--community'],
      ['npm', 'bench ping', ''],
    ]);
  });
});

describe('docs: the README is the front door', () => {
  const readme = read('README.md');

  it('is at most 12 KB', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(12 * 1024);
  });

  it('gives the test command that .ci/run runs, and the demo command', () => {
    const ci = read('.ci/run').trim().split('\n').at(-1)!;
    const blocks = parseMarkdown(readme).fences.map((f) => f.body.trim());
    expect(blocks).toContain(ci);
    expect(blocks).toContain('bash deploy/demo/run.sh');
  });

  it('names the Node.js major version that package.json requires', () => {
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    const major = /(\d+)/.exec(engines)![1];
    const named = [...readme.matchAll(/Node\.js (\d+)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(0);
    expect(new Set(named)).toEqual(new Set([major]));
  });

  it('links every page in docs/', () => {
    const linked = new Set(relativeLinks(readme).map((l) => l.target.split('#')[0]));
    const pages = PAGES.filter((p) => p.startsWith('docs/'));
    expect(pages.filter((p) => !linked.has(p))).toEqual([]);
  });
});
