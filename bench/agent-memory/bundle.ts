import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The agent's CLI as one plain-JS ES module (esbuild; npm packages stay external, so they load from
 * node_modules as usual), to measure the agent without tsx's loader. Written inside the repository so
 * the packages resolve; the caller removes it.
 */
export function bundleAgent(): Promise<{ file: string; remove(): void }> {
  // One level below the repository, as the sources are: they find package.json at ../package.json.
  const dir = join(REPO, '.agent-bundle');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'agent.mjs');
  return new Promise((resolve, reject) => {
    execFile(
      join(REPO, 'node_modules', '.bin', 'esbuild'),
      [join(REPO, 'agent', 'cli', 'main.ts'), '--bundle', '--platform=node', '--format=esm', '--target=node20', '--packages=external', `--outfile=${file}`, '--log-level=warning'],
      { cwd: REPO },
      (error, _stdout, stderr) => {
        if (error) reject(new Error(`esbuild: ${stderr.trim() || error.message}`));
        else resolve({ file, remove: () => rmSync(dir, { recursive: true, force: true }) });
      },
    );
  });
}
