/**
 * Writes docs/configuration.md, the configuration reference, from the same zod schemas the programs
 * validate with (through their JSON Schema, as deploy/schemas/*.json): every key with its type, allowed
 * values, limits and default, and its meaning from descriptions.ts. `npm run schemas` writes it beside the
 * JSON Schemas; test/docs/configuration.test.ts fails while the committed page is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { agentConfigSchema } from '../../agent/config/schema.ts';
import { collectorConfigSchema, siteFileSchema } from '../../collector/config/schema.ts';
import { DESCRIPTIONS, PLACEHOLDERS } from './descriptions.ts';

type Json = {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  properties?: Record<string, Json>;
  required?: string[];
  items?: Json;
  additionalProperties?: Json | boolean;
  propertyNames?: Json;
  oneOf?: Json[];
  anyOf?: Json[];
};

type FileKind = keyof typeof DESCRIPTIONS;

const FILES: readonly { kind: FileKind; heading: string; schemaFile: string; intro: string; schema: z.ZodType }[] = [
  {
    kind: 'collector',
    heading: 'collector.yaml',
    schemaFile: 'collector.schema.json',
    schema: collectorConfigSchema,
    intro:
      'The collector, at the provider. Installed as /etc/hallmonitor/collector.yaml; examples: ' +
      '[collector.yaml](../deploy/examples/collector.yaml) (a start, no secrets) and ' +
      '[collector.full.yaml](../deploy/examples/collector.full.yaml) (mail, channels, on-call, acknowledgements).',
  },
  {
    kind: 'site',
    heading: 'sites/&lt;site-id&gt;.yaml',
    schemaFile: 'site.schema.json',
    schema: siteFileSchema,
    intro:
      'One school, in the collector\'s `sitesDir`; the file name is the site id. Its devices are pushed to the ' +
      'school\'s agent (without contacts). Example: [north-primary.yaml](../deploy/examples/sites/north-primary.yaml).',
  },
  {
    kind: 'agent',
    heading: 'agent.yaml',
    schemaFile: 'agent.schema.json',
    schema: agentConfigSchema,
    intro:
      'The agent, at the school. `hallmonitor-collector agent add` prints its first lines; installed as ' +
      '/etc/hallmonitor/agent.yaml. Example: [agent.yaml](../deploy/examples/agent.yaml).',
  },
];

const DURATION_PATTERN = '^\\d+(?:ms|s|m|h|d)$';

export interface Row {
  key: string;
  type: string;
  default: string;
  meaning: string;
}

/** What went wrong between the schemas and descriptions.ts; empty when the page can be written. */
export interface Gaps {
  missing: string[];
  unused: string[];
}

const code = (s: string) => `\`${s.replace(/\|/g, '\\|')}\``;
const literal = (v: unknown) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

/** A default as YAML flow text, so it can be copied into a file. */
function flow(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}: ${flow(x)}`).join(', ')}}`;
  return typeof v === 'string' && (v === '' || /[:#{}[\],&*?|<>=!%@`'"]|^\s|\s$|^[\d.-]/.test(v)) ? JSON.stringify(v) : String(v);
}

function range(s: Json): string {
  const lo = s.minimum ?? s.minLength;
  const hi = s.maximum ?? s.maxLength;
  const unit = s.minLength !== undefined || s.maxLength !== undefined ? ' characters' : '';
  if (lo !== undefined && hi !== undefined) return ` ${lo}–${hi}${unit}`;
  if (lo !== undefined) return ` ≥ ${lo}${unit}`;
  if (hi !== undefined) return ` ≤ ${hi}${unit}`;
  return '';
}

function typeOf(s: Json): string {
  if (s.const !== undefined) return code(literal(s.const));
  if (s.enum) return s.enum.map((v) => code(literal(v))).join(' \\| ');
  if (s.oneOf || s.anyOf) return 'one of the forms below';
  switch (s.type) {
    case 'string':
      if (s.pattern === DURATION_PATTERN) return 'duration';
      if (s.format === 'uri') return 'URL';
      if (s.format === 'email') return 'email address';
      if (s.format === 'date') return 'date';
      return `text${s.minLength === 1 && s.maxLength === undefined ? '' : range(s)}`;
    case 'integer':
      return `whole number${range(s)}`;
    case 'number':
      return `number${range(s)}`;
    case 'boolean':
      return '`true` \\| `false`';
    case 'array':
      return s.items?.type === 'object' || s.items?.oneOf ? 'list' : `list of ${typeOf(s.items ?? {})}`;
    case 'object':
      if (s.additionalProperties && typeof s.additionalProperties === 'object') {
        const keys = s.propertyNames?.enum;
        return keys ? `map; keys: ${keys.map((k) => code(String(k))).join(', ')}` : 'map';
      }
      return 'section';
    default:
      return 'any';
  }
}

/** The discriminating key of a union's variants and each variant's values, e.g. type=email. */
function variantLabel(variant: Json, all: Json[]): string {
  const props = variant.properties ?? {};
  for (const [key, p] of Object.entries(props)) {
    if (!all.every((v) => v.properties?.[key]?.const !== undefined || v.properties?.[key]?.enum !== undefined)) continue;
    const values = p.const !== undefined ? [p.const] : (p.enum ?? []);
    return `${key}=${values.map(String).join('|')}`;
  }
  throw new Error(`a union without a key that tells its forms apart: ${JSON.stringify(Object.keys(props))}`);
}

/** Walks one file's JSON Schema into table rows; notes keys without meaning and placeholders without name. */
export function rowsFor(kind: FileKind, root: Json, used: Set<string>, missing: string[]): Row[] {
  const table = DESCRIPTIONS[kind];
  const rows: Row[] = [];
  const meaning = (shown: string, plain: string, s: Json): string => {
    if (s.description) return s.description;
    for (const key of [shown, plain]) {
      if (table[key] !== undefined) {
        used.add(`${kind}:${key}`);
        return table[key];
      }
    }
    missing.push(`${kind}: ${shown}`);
    return '';
  };
  // shown: the path as the page prints it (with variants); plain: the same without variants (the fallback key).
  const walk = (s: Json, shown: string, plain: string, required: boolean): void => {
    if (shown !== '') {
      const def = s.default !== undefined ? code(flow(s.default)) : required ? '(required)' : '';
      rows.push({ key: code(shown), type: typeOf(s), default: def, meaning: meaning(shown, plain, s) });
    }
    const join = (base: string, key: string) => (base === '' ? key : `${base}.${key}`);
    for (const [key, child] of Object.entries(s.properties ?? {})) {
      walk(child, join(shown, key), join(plain, key), (s.required ?? []).includes(key) && child.default === undefined);
    }
    if (s.items) walk(s.items, `${shown}[]`, `${plain}[]`, false);
    if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      const name = PLACEHOLDERS[plain];
      if (name === undefined) missing.push(`placeholder for the keys of ${plain}`);
      else used.add(`placeholder:${plain}`);
      const key = `<${name ?? 'key'}>`;
      walk(s.additionalProperties, join(shown, key), join(plain, key), false);
    }
    const variants = s.oneOf ?? s.anyOf;
    for (const v of variants ?? []) {
      const label = `[${variantLabel(v, variants!)}]`;
      // A list item's variant replaces its "[]"; anything else's is appended.
      const at = shown.endsWith('[]') ? `${shown.slice(0, -2)}${label}` : `${shown}${label}`;
      walk(v, at, plain, false);
    }
  };
  walk(root, '', '', false);
  return rows;
}

function jsonSchemaOf(schema: z.ZodType): Json {
  // The same options as the JSON Schemas for editors (generate.ts): what a person writes, not what is parsed.
  return z.toJSONSchema(schema, { target: 'draft-07', io: 'input', unrepresentable: 'any' }) as Json;
}

/** The page, and the gaps between the schemas and the descriptions (the page is only right when both are empty). */
export function renderReference(): { text: string; gaps: Gaps } {
  const used = new Set<string>();
  const missing: string[] = [];
  const sections = FILES.map((f) => {
    const rows = rowsFor(f.kind, jsonSchemaOf(f.schema), used, missing);
    const table = rows.map((r) => `| ${r.key} | ${r.type} | ${r.default} | ${r.meaning} |`).join('\n');
    return `## ${f.heading}\n\n${f.intro} JSON Schema for editors: [${f.schemaFile}](../deploy/schemas/${f.schemaFile}).\n\n| key | type | default | meaning |\n|---|---|---|---|\n${table}\n`;
  });
  const known = [
    ...Object.entries(DESCRIPTIONS).flatMap(([kind, t]) => Object.keys(t).map((k) => `${kind}:${k}`)),
    ...Object.keys(PLACEHOLDERS).map((k) => `placeholder:${k}`),
  ];
  const unused = known.filter((k) => !used.has(k));
  const text = `${HEADER}\n${sections.join('\n')}`;
  return { text, gaps: { missing, unused } };
}

const HEADER = `<!-- Generated by \`npm run schemas\` (deploy/schemas/reference.ts) from the zod schemas and
deploy/schemas/descriptions.ts. Do not edit: test/docs/configuration.test.ts fails when this page differs. -->

# Configuration reference

All files are YAML. Unknown keys are errors (a typo never silently falls back to a default), and a mistake
stops the program with exit code 2 and one line naming the file, the path in it and what was expected. Check
a file without starting anything with \`hallmonitor-collector check-config -c collector.yaml\` (the collector,
every site file and the agents file) or \`hallmonitor-agent check-config -c agent.yaml\`. Relative paths are
resolved against the folder of the file they are in. Durations are written \`30s\`, \`5m\`, \`4h\`, \`1d\`.

Editors that read JSON Schemas (VS Code's YAML extension) complete and check the files when the first line
names the schema, e.g. \`# yaml-language-server: $schema=/opt/hallmonitor/deploy/schemas/site.schema.json\`.
Some rules are checked by the programs only, not in the tables below: device names unique in a site, each
\`parent\` a device of the same site and no loops, a real IANA time zone, \`password\` or \`passwordFile\` but not
both, each SNMPv3 key named by exactly one of its \`…Env\` and \`…File\` keys, privacy settings only with
\`level: authPriv\`, a secret or its \`…Env\` key but not both, names in \`alerts.channels\`, the rota,
\`maintenance[].devices\` and \`alerts.devices\` that exist.

- [collector.yaml](#collectoryaml)
- [sites/&lt;site-id&gt;.yaml](#sitessite-idyaml)
- [agent.yaml](#agentyaml)
`;

export const referencePath = fileURLToPath(new URL('../../docs/configuration.md', import.meta.url));

/** Writes the page; refuses while a key has no meaning or a meaning no key. */
export function writeReference(): void {
  const { text, gaps } = renderReference();
  if (gaps.missing.length > 0 || gaps.unused.length > 0) {
    throw new Error(
      `deploy/schemas/descriptions.ts: ${[...gaps.missing.map((m) => `no meaning for ${m}`), ...gaps.unused.map((u) => `no such key: ${u}`)].join('; ')}`,
    );
  }
  writeFileSync(referencePath, text);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeReference();
  console.log('wrote docs/configuration.md');
}
