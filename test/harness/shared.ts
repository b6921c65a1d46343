import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The provider's test data lives beside the clone, not in it (`../shared`: device recordings, LibreNMS's
 * corpus, a peer's bench config; third-party licences): CI lays it there, a developer has it there too.
 * HALLMONITOR_SHARED points elsewhere when the clone lives somewhere else.
 */
const REPO_ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));

export const SHARED_DIR = resolve(process.env['HALLMONITOR_SHARED'] ?? join(REPO_ROOT, '..', 'shared'));

/** A path under ../shared; throws one line naming the path when it is missing. */
export function sharedPath(...parts: string[]): string {
  const path = join(SHARED_DIR, ...parts);
  if (!existsSync(path)) {
    throw new Error(`${path}: not found (test data is read from ../shared beside the clone; set HALLMONITOR_SHARED)`);
  }
  return path;
}
