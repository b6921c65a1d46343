import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onExitCleanup } from './exit-cleanup.ts';
import { pidAlive } from './process.ts';

export interface TempDir {
  readonly path: string;
  /** Deletes the directory and everything in it; safe to call twice. */
  remove(): Promise<void>;
}

/** HM_KEEP_TEMP=1 keeps service dirs (configs, logs, data) for a post-mortem of a failed run. */
const keep = process.env['HM_KEEP_TEMP'] === '1';

// The PID in the name lets a later run remove what a test process killed with SIGKILL left behind.
const NAME = /^hm-[a-z0-9-]+?-p(\d+)-[A-Za-z0-9]{6}$/;
let reclaimed = false;

function reclaimLeftovers(): void {
  if (reclaimed || keep) return;
  reclaimed = true;
  for (const name of readdirSync(tmpdir())) {
    const owner = Number(NAME.exec(name)?.[1]);
    if (owner > 0 && owner !== process.pid && !pidAlive(owner)) {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

/** A fresh directory under the OS temp dir (mode 0700), removed on exit if the test forgets. */
export function makeTempDir(prefix: string): TempDir {
  if (!/^[a-z0-9-]+$/.test(prefix)) throw new Error(`makeTempDir: prefix ${JSON.stringify(prefix)}: expected [a-z0-9-]+`);
  reclaimLeftovers();
  const path = mkdtempSync(join(tmpdir(), `hm-${prefix}-p${process.pid}-`));
  const cancel = onExitCleanup(() => {
    if (!keep) rmSync(path, { recursive: true, force: true });
  });
  return {
    path,
    async remove() {
      cancel();
      if (!keep) await rm(path, { recursive: true, force: true });
    },
  };
}
