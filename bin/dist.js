// The production build of a program (`npm run build`, bin/build.js) and whether it still matches the
// sources. Plain JavaScript: the bins read it before tsx is registered, and the build needs no tsx either.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The package root (this file is in bin/). */
export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * dist/ is one level below the package root, like agent/ and contract/: the bundled sources read
 * ../package.json relative to their own file (contract/version.ts) and find node_modules by walking up.
 */
export const DIST_DIR = join(PACKAGE_DIR, 'dist');

/** The programs there are builds for: the entry module and the built file, relative to the package root. */
export const PROGRAMS = {
  agent: { entry: 'agent/cli/main.ts', out: 'dist/agent.mjs', manifest: 'dist/agent.json' },
  collector: { entry: 'collector/cli/main.ts', out: 'dist/collector.mjs', manifest: 'dist/collector.json' },
};

/**
 * One hash over the files the build read (the package's own sources; npm packages bundled in are covered
 * by the lock files), so a build is used only for exactly the sources it came from, whatever their mtimes.
 * Hashing ~100 small files costs about 2 ms at start (the collector's ~400, under 10 ms).
 */
export function fingerprint(files) {
  const hash = createHash('sha256');
  for (const file of [...files].sort()) {
    hash.update(file).update('\0');
    const path = join(PACKAGE_DIR, file);
    hash.update(existsSync(path) ? readFileSync(path) : 'missing').update('\0');
  }
  return hash.digest('hex');
}

/** Files outside the sources whose change also makes a build stale: which npm packages were bundled in. */
export const DEPENDENCY_FILES = ['package.json', 'package-lock.json'];

/**
 * The built file of `program` if it exists and was built from the sources as they are now; otherwise the
 * reason it is not used (for a note on stderr), so a developer who edits a source after a build gets the
 * source, never an old build.
 */
export function freshBuild(program) {
  const { out, manifest } = PROGRAMS[program];
  const file = join(PACKAGE_DIR, out);
  const manifestFile = join(PACKAGE_DIR, manifest);
  if (!existsSync(file) || !existsSync(manifestFile)) return { file: undefined, reason: undefined };
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch {
    return { file: undefined, reason: `${manifest} is unreadable` };
  }
  if (!Array.isArray(recorded.inputs) || typeof recorded.fingerprint !== 'string') return { file: undefined, reason: `${manifest} is not a build manifest` };
  if (fingerprint([...recorded.inputs, ...DEPENDENCY_FILES]) !== recorded.fingerprint) {
    return { file: undefined, reason: `${out} is older than the sources` };
  }
  return { file, reason: undefined };
}

/**
 * Runs `program`: its fresh build when there is one, else its TypeScript sources through tsx (what tests
 * and development use; no build is ever needed). HALLMONITOR_NO_DIST=1 runs the sources regardless.
 */
export async function runProgram(program) {
  const build = process.env.HALLMONITOR_NO_DIST === '1' ? { file: undefined, reason: undefined } : freshBuild(program);
  if (build.file !== undefined) {
    await import(pathToFileURL(build.file).href);
    return;
  }
  // Said where a build is expected (the systemd unit sets NODE_ENV=production): in a checkout an old build
  // beside edited sources is normal, and its note would only clutter every command's output.
  if (build.reason !== undefined && process.env.NODE_ENV === 'production') {
    process.stderr.write(`hallmonitor-${program}: ${build.reason}; running the sources through tsx (npm run build makes a new one)\n`);
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(PACKAGE_DIR, PROGRAMS[program].entry)).href);
}
