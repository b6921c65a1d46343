import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';

/**
 * The agent's data folder holds the spool (samples, device names) and the saved site config (SNMP
 * communities and v3 keys): readable by the agent's user only, whatever the umask. mkdir's and open's modes
 * are filtered by the umask and an existing path keeps its mode, so each is set explicitly as well.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Creates `file` 0600 if it is not there (SQLite then gives its -wal and -shm files the same mode) and sets 0600 if it is. */
export function ensurePrivateFile(file: string): void {
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
}
