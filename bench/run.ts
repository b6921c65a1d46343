import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench [-- <scenario> [options]]`: each scenario is `scenarios/<name>.ts` exporting
 * `main(args)`. Without a name every scenario runs in turn with its defaults. A scenario reports; it sets a
 * non-zero exit code only when the work itself went wrong (a lost point is a bug, not a slow run).
 */
const SCENARIOS_DIR = fileURLToPath(new URL('./scenarios/', import.meta.url));
const available = readdirSync(SCENARIOS_DIR)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -3))
  .sort();

const [first, ...rest] = process.argv.slice(2);
const chosen = first === undefined || first.startsWith('-') ? available : [first];
const args = first === undefined || first.startsWith('-') ? process.argv.slice(2) : rest;

for (const name of chosen) {
  if (!available.includes(name)) {
    process.stderr.write(`bench: no scenario "${name}"; expected one of ${available.join(', ')}\n`);
    process.exit(2);
  }
  process.stdout.write(`\n== ${name} ==\n`);
  const scenario = (await import(`./scenarios/${name}.ts`)) as { main(args: string[]): Promise<void> };
  await scenario.main(args);
}
