/**
 * What the docs test reads out of a Markdown page: its headings' anchors, its relative links, its fenced
 * YAML snippets and the commands it shows. Pure functions over the page's text (CommonMark as GitHub renders
 * it, as far as these pages use it), so each can be tested on a few lines.
 */

export interface Fence {
  lang: string;
  body: string;
  /** 1-based line of the opening fence. */
  line: number;
}

export interface Parsed {
  /** The text outside fenced and indented code blocks, line by line (code blocks blanked, so lines keep their numbers). */
  prose: string[];
  fences: Fence[];
  /** Indented (4-space) code blocks, one entry per block. */
  indented: Fence[];
}

export function parseMarkdown(text: string): Parsed {
  const lines = text.split('\n');
  const prose: string[] = [];
  const fences: Fence[] = [];
  const indented: Fence[] = [];
  let open: { marker: string; lang: string; line: number; body: string[] } | undefined;
  let block: { line: number; body: string[] } | undefined;
  const closeIndented = () => {
    if (block) indented.push({ lang: '', body: block.body.join('\n').replace(/\n+$/, ''), line: block.line });
    block = undefined;
  };
  lines.forEach((line, i) => {
    if (open) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (close && close[1]![0] === open.marker[0] && close[1]!.length >= open.marker.length) {
        fences.push({ lang: open.lang, body: open.body.join('\n'), line: open.line });
        open = undefined;
      } else open.body.push(line);
      prose.push('');
      return;
    }
    const fence = /^ {0,3}(`{3,}|~{3,})\s*([\w-]*)/.exec(line);
    if (fence) {
      closeIndented();
      open = { marker: fence[1]!, lang: fence[2]!.toLowerCase(), line: i + 1, body: [] };
      prose.push('');
      return;
    }
    // An indented code block starts after a blank line (it cannot interrupt a paragraph or continue a list item
    // here: these pages indent list continuations by 2 or 3 spaces, never 4 after a blank line).
    const previousBlank = i === 0 || lines[i - 1]!.trim() === '';
    if (/^ {4}\S/.test(line) && (block || previousBlank) && !isListContinuation(lines, i)) {
      block ??= { line: i + 1, body: [] };
      block.body.push(line.slice(4));
      prose.push('');
      return;
    }
    if (block && line.trim() === '') {
      block.body.push('');
      prose.push('');
      return;
    }
    closeIndented();
    prose.push(line);
  });
  closeIndented();
  return { prose, fences, indented };
}

/** A 4-space line inside a list item (the nearest non-blank line above at a smaller indent is a list item). */
function isListContinuation(lines: string[], i: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    const l = lines[j]!;
    if (l.trim() === '') continue;
    if (/^ {0,3}\S/.test(l)) return /^ {0,3}([-*+]|\d+[.)])\s/.test(l);
  }
  return false;
}

/** Inline code spans of a prose line, and the line with them blanked (links inside code are not links). */
export function codeSpans(line: string): { spans: string[]; rest: string } {
  const spans: string[] = [];
  const rest = line.replace(/(`+)([\s\S]*?)\1/g, (_m, _ticks: string, inner: string) => {
    spans.push(inner.trim());
    return ' ';
  });
  return { spans, rest };
}

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&#39;': "'" };

/** GitHub's anchor for a heading: its text lower-cased, without punctuation, spaces as "-"; repeats get -1, -2. */
export function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of parseMarkdown(text).prose) {
    const h = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    // Tags go first, while `&lt;` is still an entity: `&lt;site-id&gt;` is text, `<br>` is markup.
    const plain = h[1]!
      .replace(/<[^>]*>/g, '')
      .replace(/&[#\w]+;/g, (e) => ENTITIES[e] ?? '')
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/[`*]/g, '');
    const slug = plain
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
    seen.set(slug, n + 1);
  }
  return anchors;
}

export interface Link {
  target: string;
  line: number;
}

/** Relative links and images of the page's prose (Markdown and HTML), with their line. */
export function relativeLinks(text: string): Link[] {
  const links: Link[] = [];
  parseMarkdown(text).prose.forEach((raw, i) => {
    const { rest } = codeSpans(raw);
    const line = rest.replace(/<!--[\s\S]*?-->/g, '');
    for (const m of line.matchAll(/!?\[(?:[^\]]|\\\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ target: m[1]!, line: i + 1 });
    for (const m of line.matchAll(/<(?:a|img)\s[^>]*(?:href|src)="([^"]+)"/g)) links.push({ target: m[1]!, line: i + 1 });
  });
  return links.filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l.target));
}

/** Which config a YAML snippet is, from its first line; undefined when it carries no mark. */
export type SnippetMark =
  | { kind: 'file'; schema: 'collector' | 'site' | 'agent' }
  | { kind: 'fragment'; schema: 'collector' | 'site' | 'agent'; part: 'keys' | 'device' }
  | { kind: 'not-config'; why: string };

const SCHEMA_OF_FILE: [RegExp, 'collector' | 'site' | 'agent'][] = [
  [/^sites\/[^\s/]+\.ya?ml$/, 'site'],
  [/^collector[\w.-]*\.ya?ml$/, 'collector'],
  [/^agent[\w.-]*\.ya?ml$/, 'agent'],
];

/**
 * The marks a snippet's first line may carry:
 *   `# schema: site` (or collector, agent)    a whole file, validated as the program would
 *   `# fragment: site` / `# fragment: site device`   some top-level keys of that file / list items of `devices`
 *   `# sites/north-primary.yaml`, `# collector.yaml ...`, `# agent.yaml`   some keys of the file it names
 *   `# not config: <why>`                      skipped (an example of something else)
 */
export function snippetMark(body: string): SnippetMark | undefined {
  const first = body.split('\n', 1)[0]!.trim();
  let m = /^#\s*schema:\s*(collector|site|agent)\s*$/.exec(first);
  if (m) return { kind: 'file', schema: m[1] as 'collector' };
  m = /^#\s*fragment:\s*(collector|site|agent)(\s+device)?\s*$/.exec(first);
  if (m) return { kind: 'fragment', schema: m[1] as 'collector', part: m[2] ? 'device' : 'keys' };
  m = /^#\s*not config:\s*(.+)$/.exec(first);
  if (m) return { kind: 'not-config', why: m[1]! };
  m = /^#\s*(\S+)/.exec(first);
  if (m) for (const [re, schema] of SCHEMA_OF_FILE) if (re.test(m[1]!)) return { kind: 'fragment', schema, part: 'keys' };
  return undefined;
}

export interface Command {
  /** `hallmonitor-agent`, `hallmonitor-collector`, `npm`, or a script path such as `deploy/demo/run.sh`. */
  program: string;
  /** Subcommand words (`agent add`), or the npm script name. */
  words: string[];
  /** Long options shown (`--site`), without values. */
  flags: string[];
  text: string;
  line: number;
}

const PROGRAM = /^(?:\$\s+)?(?:sudo\s+(?:-u\s+\S+\s+)?)?(?:node\s+\S*?bin\/)?(hallmonitor-(?:agent|collector))(?:\.js)?(?=\s|$)(.*)$/;
const SCRIPT = /^(?:\$\s+)?(?:sudo\s+)?bash\s+((?:deploy|\.ci)\/[\w./-]+)(.*)$/;
const NPM_RUN = /^(?:\$\s+)?npm\s+run\s+([\w:-]+)(.*)$/;

/** Subcommands that are groups of subcommands themselves. */
const NESTED_GROUPS = new Set(['web user', 'web token']);

/** The command of one shell line or code span, if it runs one of ours. */
export function commandOf(text: string, line: number): Command | undefined {
  // Where the command ends: a comment, a pipe, a list or a redirection (`<id>` is a placeholder, not one).
  const cut = (tail: string) => tail.split(/\s(?:#|\||;|&&|>>?|<)(?:\s|$)/)[0]!;
  const flagsOf = (tail: string) => [...new Set([...cut(tail).matchAll(/(?:^|[\s[(])(--[a-z][a-z0-9-]*)/g)].map((m) => m[1]!))];
  let m = PROGRAM.exec(text);
  if (m) {
    const tail = cut(m[2]!);
    const words: string[] = [];
    for (const token of tail.trim().split(/\s+/)) {
      // Two levels (`agent add`), three under a command group of its own (`web user add`).
      const depth = NESTED_GROUPS.has(words.join(' ')) ? 3 : 2;
      if (words.length >= depth || !/^[a-z][a-z-]*$/.test(token)) break;
      words.push(token);
    }
    return { program: m[1]!, words, flags: flagsOf(m[2]!), text, line };
  }
  m = SCRIPT.exec(text);
  if (m) return { program: m[1]!, words: [], flags: flagsOf(m[2]!), text, line };
  m = NPM_RUN.exec(text);
  if (m) {
    const rest = cut(m[2]!).trim().replace(/^--\s*/, '');
    const first = rest.split(/\s+/)[0] ?? '';
    return { program: 'npm', words: [m[1]!, ...(/^[a-z][\w-]*$/.test(first) ? [first] : [])], flags: [], text, line };
  }
  return undefined;
}

/** Every command a page shows: in shell code blocks (continuation lines joined) and in inline code. */
export function commandsOf(text: string): Command[] {
  const parsed = parseMarkdown(text);
  const out: Command[] = [];
  const shellBlocks = [...parsed.fences.filter((f) => ['', 'sh', 'bash', 'shell', 'console'].includes(f.lang)), ...parsed.indented];
  for (const f of shellBlocks) {
    const logical = f.body.replace(/\\\n\s*/g, ' ').split('\n');
    logical.forEach((l, i) => {
      const c = commandOf(l.trim(), f.line + 1 + i);
      if (c) out.push(c);
    });
  }
  parsed.prose.forEach((l, i) => {
    for (const span of codeSpans(l).spans) {
      const c = commandOf(span, i + 1);
      if (c) out.push(c);
    }
  });
  return out;
}
