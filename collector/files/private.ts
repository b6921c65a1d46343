import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The collector's data folder holds the write-ahead log (every school's samples), the alert and delivery
 * databases: 0700, whatever the umask or the mode it had before.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/**
 * Sets every regular file in `dir` and its subfolders to 0600 and every folder to 0700 (once the databases
 * are open: SQLite gives the -wal and -shm files it makes later the mode of their database). Symbolic links
 * are neither followed nor changed.
 */
export function makePrivate(dir: string): void {
  ensurePrivateDir(dir);
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = lstatSync(path);
    if (st.isDirectory()) makePrivate(path);
    else if (st.isFile() && (st.mode & 0o777) !== 0o600) chmodSync(path, 0o600);
  }
}
