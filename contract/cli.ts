import { ConfigError } from './config-file.ts';

/** What a command prints for a person: to stdout, one line per call. Logs go to stderr through pino. */
export function say(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/**
 * Ends a command on an error with one line a person can act on. Config errors already name file, path and
 * expectation, so no stack; anything else is a bug and gets one.
 */
export function exitOnError(err: unknown): never {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}

/** Resolves when the process is asked to stop (systemd sends SIGTERM, a terminal SIGINT). */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
}
