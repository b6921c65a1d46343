import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, idSchema, systemErrorText } from '../../contract/index.ts';
import { displayUrl, httpStatus } from '../storage/influx-client.ts';

/**
 * Command-line values and the failures around them, turned into one line that names the option or the
 * setting, what was wrong and what to do (exit 2 through exitOnError), before anything is done with them.
 */

/** `--month`: a calendar month "YYYY-MM" (01-12). */
export function monthOption(text: string, option = '--month'): string {
  const m = /^(\d{4})-(\d{2})$/.exec(text);
  if (m === null || Number(m[2]) < 1 || Number(m[2]) > 12 || Number(m[1]) < 1970) {
    throw new ConfigError(`${option}: expected a month as YYYY-MM (e.g. "2026-10"), got "${text}"`);
  }
  return text;
}

/** A site or agent id given on the command line, checked before it is used in a path or a suggestion. */
export function idOption(text: string, option: string): string {
  const parsed = idSchema.safeParse(text);
  if (!parsed.success) throw new ConfigError(`${option}: expected ${parsed.error.issues[0]!.message}, got ${JSON.stringify(text)}`);
  return text;
}

/**
 * `--out <dir>`: a folder that exists (or is created now) and can be written, checked before any work so a
 * report is not computed only to fail at the end.
 */
export function outputFolder(dir: string, option = '--out'): string {
  const path = resolve(dir);
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    try {
      mkdirSync(path, { recursive: true });
      isDir = true;
    } catch (err) {
      throw new ConfigError(`${option} ${dir}: cannot create the folder: ${systemErrorText(err) ?? (err as Error).message}`);
    }
  }
  if (!isDir) throw new ConfigError(`${option} ${dir}: not a folder; give a folder for the files (it is created if missing)`);
  try {
    accessSync(path, constants.W_OK);
  } catch (err) {
    throw new ConfigError(`${option} ${dir}: cannot write there: ${systemErrorText(err) ?? (err as Error).message}`);
  }
  return path;
}

/** Runs a write into an `--out` folder; a system failure (disk full, permissions) becomes one line naming it. */
export function writingInto<T>(dir: string, write: () => T, option = '--out'): T {
  try {
    return write();
  } catch (err) {
    const system = systemErrorText(err);
    if (system === undefined) throw err;
    const path = (err as NodeJS.ErrnoException).path;
    throw new ConfigError(`${option} ${dir}: cannot write${path === undefined ? '' : ` ${path}`}: ${system}`);
  }
}

/**
 * A failure talking to InfluxDB, as one line that names the setting which gave the URL and what to do.
 * Returns undefined for anything else (a bug, which keeps its stack).
 */
export function influxProblem(err: unknown, source: { file: string; url: string; database: string }): ConfigError | undefined {
  const where = `InfluxDB at ${displayUrl(source.url)} (influx.url in ${source.file})`;
  const system = systemErrorText(err);
  if (system !== undefined) return new ConfigError(`${source.file}: influx.url: cannot reach ${where}: ${system}; start InfluxDB or correct influx.url`);
  const status = httpStatus(err);
  if (status === 401 || status === 403) {
    return new ConfigError(`${source.file}: influx.username: ${where} refused access (HTTP ${status}); check influx.username and influx.password`);
  }
  if (status !== undefined) return new ConfigError(`${source.file}: influx.url: ${where} answered HTTP ${status}; is it InfluxDB 1.x, and is it healthy?`);
  const message = (err as Error | undefined)?.message ?? '';
  if (/database not found/i.test(message)) {
    return new ConfigError(`${source.file}: influx.database: ${where} has no database "${source.database}"; has the collector run and stored data yet?`);
  }
  if (/No host available|socket hang up|timeout/i.test(message)) {
    return new ConfigError(`${source.file}: influx.url: cannot reach ${where}: ${message}; start InfluxDB or correct influx.url`);
  }
  return undefined;
}
