/**
 * Writes the JSON Schemas of the config files from the zod schemas the programs validate with, so an
 * editor (yaml-language-server, as in VS Code's YAML extension) completes and checks collector.yaml,
 * sites/*.yaml and agent.yaml, and docs/configuration.md (reference.ts). Run `npm run schemas` after
 * changing a config schema; test/deploy-schemas.test.ts and test/docs/configuration.test.ts fail while the
 * files are stale.
 *
 * Not carried over, because JSON Schema cannot say them: the checks written as zod refinements (device
 * names unique, parents known and acyclic, a real IANA time zone, password or passwordFile but not both, an
 * SNMPv3 key named by exactly one of its Env/File settings, privacy settings only with level authPriv).
 * The programs still enforce them when they load the file.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { agentConfigSchema } from '../../agent/config/schema.ts';
import { collectorConfigSchema, siteFileSchema } from '../../collector/config/schema.ts';
import { writeReference } from './reference.ts';

export const CONFIG_SCHEMAS: readonly { file: string; title: string; schema: z.ZodType }[] = [
  { file: 'collector.schema.json', title: 'hallmonitor collector.yaml', schema: collectorConfigSchema },
  { file: 'site.schema.json', title: 'hallmonitor sites/<site-id>.yaml (one school)', schema: siteFileSchema },
  { file: 'agent.schema.json', title: 'hallmonitor agent.yaml', schema: agentConfigSchema },
];

/**
 * The file's text. `io: 'input'` describes what a person writes (fields with defaults optional), not what
 * the program gets after parsing; draft-07 is what yaml-language-server supports best.
 */
export function renderSchema(entry: (typeof CONFIG_SCHEMAS)[number]): string {
  const json = z.toJSONSchema(entry.schema, { target: 'draft-07', io: 'input', unrepresentable: 'any' });
  const { $schema, ...rest } = json;
  return `${JSON.stringify({ $schema, title: entry.title, ...rest }, null, 2)}\n`;
}

export const schemaPath = (file: string) => fileURLToPath(new URL(file, import.meta.url));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const entry of CONFIG_SCHEMAS) {
    writeFileSync(schemaPath(entry.file), renderSchema(entry));
    console.log(`wrote deploy/schemas/${entry.file}`);
  }
  // The configuration reference, from the same schemas (test/docs/configuration.test.ts keeps it current).
  writeReference();
  console.log('wrote docs/configuration.md');
}
