#!/usr/bin/env node
// `npm run build`: the agent and the collector as plain JavaScript in dist/ (esbuild, which tsx already
// brings), so they run without tsx's loader thread and TypeScript compiler: 25-45 MB less resident memory for
// the agent (docs/sizing.md has the collector's figures). Nothing needs it: without dist/ (or with one older
// than the sources) the bins run the sources through tsx. Each program is its own build, so editing one
// program's sources leaves the other's build fresh.
import { createRequire } from 'node:module';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DEPENDENCY_FILES, DIST_DIR, PACKAGE_DIR, PROGRAMS, fingerprint } from './dist.js';

// esbuild is tsx's dependency, not ours: resolve it from tsx, wherever npm put it.
const esbuild = createRequire(import.meta.resolve('tsx/esm/api'))('esbuild');

/**
 * Kept out of the bundle and loaded from node_modules as usual: better-sqlite3 is a native addon found
 * through its own path; pdfkit (the collector's reports) finds its standard fonts (package "imports",
 * `#standard-fonts/*`) and its ICC profile relative to its own import.meta.url, which in a bundle would be
 * dist/, and brings fontkit, which collector/reports/render/pdf.ts resolves from pdfkit's folder. Every other
 * package is bundled: one module graph of ~2 MB of JavaScript costs ~7 MB less memory than node's module
 * records for some 400 files.
 */
const EXTERNAL = ['better-sqlite3', 'pdfkit'];

/** Built beside dist/ and swapped in whole, so a program starting meanwhile sees an old build or none. */
const STAGE_DIR = `${DIST_DIR}.new-${process.pid}`;

async function build(name) {
  const program = PROGRAMS[name];
  const result = await esbuild.build({
    absWorkingDir: PACKAGE_DIR,
    entryPoints: { [name]: program.entry },
    outdir: STAGE_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: EXTERNAL,
    // Without comments and indentation the code is ~35 % smaller, and plain ASCII: V8 keeps each module's
    // whole source in memory, and one non-Latin-1 character in a comment (a "§" or "—") doubles that to two
    // bytes a character. Names stay, so stack traces and logs still name functions.
    minifyWhitespace: true,
    charset: 'ascii',
    // CommonJS packages bundled into an ES module still call require() for node's built-ins.
    banner: { js: "import { createRequire as __hmCreateRequire } from 'node:module'; const require = __hmCreateRequire(import.meta.url);" },
    chunkNames: `${name}-[hash]`,
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs).filter((file) => !file.includes('node_modules/'));
  writeFileSync(
    join(STAGE_DIR, relative('dist', program.manifest)),
    `${JSON.stringify({ program: name, builtAt: new Date().toISOString(), fingerprint: fingerprint([...inputs, ...DEPENDENCY_FILES]), inputs }, null, 1)}\n`,
  );
  const outputs = Object.entries(result.metafile.outputs);
  const bytes = outputs.reduce((sum, [, output]) => sum + output.bytes, 0);
  process.stdout.write(`${relative(PACKAGE_DIR, join(PACKAGE_DIR, program.out))}: ${outputs.length} files, ${(bytes / 1048576).toFixed(1)} MiB, from ${inputs.length} source files\n`);
}

rmSync(STAGE_DIR, { recursive: true, force: true });
mkdirSync(STAGE_DIR, { recursive: true });
try {
  for (const name of Object.keys(PROGRAMS)) await build(name);
  rmSync(`${DIST_DIR}.old`, { recursive: true, force: true });
  try {
    renameSync(DIST_DIR, `${DIST_DIR}.old`);
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  renameSync(STAGE_DIR, DIST_DIR);
  rmSync(`${DIST_DIR}.old`, { recursive: true, force: true });
} catch (err) {
  rmSync(STAGE_DIR, { recursive: true, force: true });
  process.stderr.write(`build failed: ${err.message}\n`);
  process.exit(1);
}
