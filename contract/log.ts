import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/**
 * Every field that may carry a secret, wherever it sits in a log record. Keys stay stable across the
 * code base (site, device, check, agent) so that logs can be searched the same way everywhere.
 */
const REDACT = [
  'password',
  '*.password',
  '*.*.password',
  'community',
  '*.community',
  '*.*.community',
  'authKey',
  '*.authKey',
  'privKey',
  '*.privKey',
  'passwordHash',
  '*.passwordHash',
];

/** Logs go to stderr (or the given stream), structured, secrets redacted. */
export function createLogger(name: string, level: LevelWithSilent = 'info', stream?: NodeJS.WritableStream): Logger {
  return pino(
    { name, level, redact: { paths: REDACT, censor: '[redacted]' }, base: { pid: process.pid } },
    stream ?? pino.destination(2),
  );
}
