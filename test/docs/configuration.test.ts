/**
 * docs/configuration.md is generated from the zod schemas (deploy/schemas/reference.ts): it fails here when
 * the committed page differs from what the schemas give now, when a key has no meaning in
 * deploy/schemas/descriptions.ts, or when a meaning names a key that is gone.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { agentConfigSchema } from '../../agent/config/schema.ts';
import { collectorConfigSchema, siteFileSchema } from '../../collector/config/schema.ts';
import { referencePath, renderReference, rowsFor } from '../../deploy/schemas/reference.ts';

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { target: 'draft-07', io: 'input', unrepresentable: 'any' }) as Parameters<typeof rowsFor>[1];

describe('docs/configuration.md', () => {
  const { text, gaps } = renderReference();

  it('every key of every config file has a meaning, and every meaning a key', () => {
    expect(gaps).toEqual({ missing: [], unused: [] });
  });

  it('is what `npm run schemas` writes now', () => {
    expect(readFileSync(referencePath, 'utf8'), 'docs/configuration.md is stale: run npm run schemas').toBe(text);
  });

  it('lists every top-level key of each file, with its default where it has one', () => {
    for (const [schema, heading] of [[collectorConfigSchema, '## collector.yaml'], [siteFileSchema, '## sites/&lt;site-id&gt;.yaml'], [agentConfigSchema, '## agent.yaml']] as const) {
      const section = text.slice(text.indexOf(heading));
      for (const key of Object.keys((schema as unknown as z.ZodObject).shape)) expect(section).toContain(`| \`${key}\` |`);
    }
    expect(text).toContain('| `retention.rawDays` | whole number 40–36500 | `45` |');
    expect(text).toContain('| `influx.url` | URL | (required) |');
    expect(text).toContain('| `devices[].checks.snmp[version=3].authProtocol` | `"sha"` \\| `"sha224"`');
  });

  it('a key without a meaning is reported by its path, a documented one is not', () => {
    const extra = z.strictObject({ agent: z.string(), brandNew: z.strictObject({ knob: z.int().default(3) }).optional() });
    const missing: string[] = [];
    rowsFor('agent', json(extra), new Set(), missing);
    expect(missing).toEqual(['agent: brandNew', 'agent: brandNew.knob']);
    const none: string[] = [];
    rowsFor('agent', json(z.strictObject({ agent: z.string() })), new Set(), none);
    expect(none).toEqual([]);
  });

  it('a .describe() on a schema wins over the table', () => {
    const rows = rowsFor('agent', json(z.strictObject({ agent: z.string().describe('said in the schema') })), new Set(), []);
    expect(rows[0]!.meaning).toBe('said in the schema');
  });
});
