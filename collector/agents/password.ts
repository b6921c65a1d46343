import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt cost. The passwords are 192 random bits, so the hash guards a leaked file, not a guessable secret. */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { N: 16_384, r: 8, p: 1 };

const PASSWORD_BYTES = 24;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Bounds for hashes read from the file, so a hand-edited cost cannot stall the collector. */
const MAX_N = 2 ** 17;
const MAX_MEMORY = 256 * 1024 * 1024;

/** A new agent password: 192 random bits, base64url (no characters that need quoting in YAML or URLs). */
export function generatePassword(): string {
  return randomBytes(PASSWORD_BYTES).toString('base64url');
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

const HASH_FORMAT = /^scrypt\$(\d{1,7})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

/** `scrypt$N$r$p$saltB64$hashB64`, with costs in safe bounds; undefined if it is anything else. */
export function parsePasswordHash(text: string): ParsedHash | undefined {
  const m = HASH_FORMAT.exec(text);
  if (!m) return undefined;
  const params = { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  const salt = Buffer.from(m[4]!, 'base64');
  const key = Buffer.from(m[5]!, 'base64');
  const powerOfTwo = params.N >= 2 && (params.N & (params.N - 1)) === 0;
  if (!powerOfTwo || params.N > MAX_N || params.r < 1 || params.p < 1 || params.p > 16) return undefined;
  if (memoryFor(params) > MAX_MEMORY || salt.length < 8 || key.length < 16 || key.length > 64) return undefined;
  return { params, salt, key };
}

export function isPasswordHash(text: string): boolean {
  return parsePasswordHash(text) !== undefined;
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** True if the password matches; compares in constant time. A malformed hash never matches. */
export async function verifyPassword(entry: { passwordHash: string }, password: string | Buffer): Promise<boolean> {
  const parsed = parsePasswordHash(entry.passwordHash);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.key.length, parsed.params);
  return timingSafeEqual(key, parsed.key);
}

const DECOY_SALT = randomBytes(SALT_BYTES);

/** Spends the time a real check would, so an unknown agent id cannot be told from a wrong password. */
export async function verifyNothing(password: string | Buffer): Promise<false> {
  await derive(password, DECOY_SALT, KEY_BYTES, DEFAULT_SCRYPT);
  return false;
}

function memoryFor(params: ScryptParams): number {
  return 128 * params.N * params.r * (params.p + 1);
}

/**
 * scrypt runs on libuv's thread pool, which the write-ahead log's file I/O shares; at most two run at a
 * time so that a reconnect storm of hundreds of agents cannot starve those writes.
 */
const MAX_CONCURRENT = 2;
let running = 0;
const waiting: Array<() => void> = [];

async function derive(password: string | Buffer, salt: Buffer, keylen: number, params: ScryptParams): Promise<Buffer> {
  if (running < MAX_CONCURRENT) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve)); // the slot is handed over, see below
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      scrypt(password, salt, keylen, { ...params, maxmem: memoryFor(params) + 1024 * 1024 }, (err, key) =>
        err ? reject(err) : resolve(key),
      );
    });
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}
