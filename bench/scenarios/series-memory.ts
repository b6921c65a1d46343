import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/**
 * `npm run bench -- series-memory [--schools 100,300,1000] [--polls 3] [--turns 12] [--unit-env]`: what the collector
 * holds per series (alert engine, ingest's learned maps), without a fleet: bench/support/series-memory.ts in
 * a process of its own per size, so each peak RSS is its own. `--unit-env` runs it as the collector's systemd
 * unit runs the collector (--max-old-space-size=640, MALLOC_ARENA_MAX=2). Prints a JSON line per size.
 */
const CHILD = fileURLToPath(new URL('../support/series-memory.ts', import.meta.url));

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { schools: { type: 'string' }, polls: { type: 'string' }, turns: { type: 'string' }, 'unit-env': { type: 'boolean' } } });
  const sizes = (values.schools ?? '100,300,1000').split(',').map(Number);
  const polls = values.polls ?? '3';
  for (const n of sizes) {
    if (!Number.isInteger(n) || n < 1 || n > 1_000) {
      process.stderr.write(`series-memory: --schools: expected whole numbers from 1 to 1000, got "${values.schools}"\n`);
      process.exit(2);
    }
  }
  for (const n of sizes) {
    const unit = values['unit-env'] === true;
    const r = spawnSync(process.execPath, ['--expose-gc', ...(unit ? ['--max-old-space-size=640'] : []), '--import', 'tsx', CHILD, String(n), polls, ...(values.turns !== undefined ? ['--turns', values.turns] : [])], {
      encoding: 'utf8',
      env: { ...process.env, ...(unit ? { MALLOC_ARENA_MAX: '2' } : {}) },
      maxBuffer: 1 << 20,
    });
    if (r.status !== 0) {
      process.stderr.write(r.stderr);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(r.stdout);
  }
  await Promise.resolve();
}
