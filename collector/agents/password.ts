import { pbkdf2, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * How an agent's password is stored. New agents get Mosquitto 2.0's own password_file hash, PBKDF2-SHA512
 * written `$7$<iterations>$<salt>$<hash>` (base64), so the same registry entry serves the embedded broker and
 * an external Mosquitto (`mosquitto-files`). scrypt hashes (`scrypt$N$r$p$salt$hash`, written before) are still
 * verified by the embedded broker; Mosquitto cannot read them.
 *
 * The passwords are 192 random bits, so the hash guards a leaked file, not a guessable secret: the cost is kept
 * low because Mosquitto checks it in its single thread on every connect (a reconnect storm of 1,000 agents).
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { N: 16_384, r: 8, p: 1 };
/** ~1 ms per check here. Mosquitto's own mosquitto_passwd uses 101. */
export const DEFAULT_PBKDF2_ITERATIONS = 1_000;

const PASSWORD_BYTES = 24;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Mosquitto's sizes for `$7$` (SHA-512 output, 12-byte salt). */
const PBKDF2_SALT_BYTES = 12;
const PBKDF2_KEY_BYTES = 64;
/** Bounds for hashes read from the file, so a hand-edited cost cannot stall the collector. */
const MAX_N = 2 ** 17;
const MAX_MEMORY = 256 * 1024 * 1024;
const MAX_ITERATIONS = 200_000;

/** A new agent password: 192 random bits, base64url (no characters that need quoting in YAML or URLs). */
export function generatePassword(): string {
  return randomBytes(PASSWORD_BYTES).toString('base64url');
}

type ParsedHash =
  | { scheme: 'scrypt'; params: ScryptParams; salt: Buffer; key: Buffer }
  | { scheme: 'pbkdf2-sha512'; iterations: number; salt: Buffer; key: Buffer };

const B64 = '([A-Za-z0-9+/]+={0,2})';
const SCRYPT_FORMAT = new RegExp(`^scrypt\\$(\\d{1,7})\\$(\\d{1,3})\\$(\\d{1,3})\\$${B64}\\$${B64}$`);
const PBKDF2_FORMAT = new RegExp(`^\\$7\\$(\\d{1,7})\\$${B64}\\$${B64}$`);

/** Either format, with costs in safe bounds; undefined if it is anything else. */
export function parsePasswordHash(text: string): ParsedHash | undefined {
  const p = PBKDF2_FORMAT.exec(text);
  if (p) {
    const iterations = Number(p[1]);
    const salt = Buffer.from(p[2]!, 'base64');
    const key = Buffer.from(p[3]!, 'base64');
    if (iterations < 1 || iterations > MAX_ITERATIONS || salt.length < 8 || key.length !== PBKDF2_KEY_BYTES) return undefined;
    return { scheme: 'pbkdf2-sha512', iterations, salt, key };
  }
  const m = SCRYPT_FORMAT.exec(text);
  if (!m) return undefined;
  const params = { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  const salt = Buffer.from(m[4]!, 'base64');
  const key = Buffer.from(m[5]!, 'base64');
  const powerOfTwo = params.N >= 2 && (params.N & (params.N - 1)) === 0;
  if (!powerOfTwo || params.N > MAX_N || params.r < 1 || params.p < 1 || params.p > 16) return undefined;
  if (memoryFor(params) > MAX_MEMORY || salt.length < 8 || key.length < 16 || key.length > 64) return undefined;
  return { scheme: 'scrypt', params, salt, key };
}

export function isPasswordHash(text: string): boolean {
  return parsePasswordHash(text) !== undefined;
}

/** True for a hash Mosquitto 2.0 can check in its password_file. */
export function isMosquittoHash(text: string): boolean {
  return parsePasswordHash(text)?.scheme === 'pbkdf2-sha512';
}

/** A `$7$` hash (Mosquitto's format), or with `scrypt` given, the scrypt format of earlier versions. */
export async function hashPassword(password: string, options: { scrypt?: ScryptParams; iterations?: number } = {}): Promise<string> {
  if (options.scrypt) {
    const salt = randomBytes(SALT_BYTES);
    const key = await derive(password, { scheme: 'scrypt', params: options.scrypt, salt, key: Buffer.alloc(KEY_BYTES) });
    const { N, r, p } = options.scrypt;
    return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
  }
  const iterations = options.iterations ?? DEFAULT_PBKDF2_ITERATIONS;
  const salt = randomBytes(PBKDF2_SALT_BYTES);
  const key = await derive(password, { scheme: 'pbkdf2-sha512', iterations, salt, key: Buffer.alloc(PBKDF2_KEY_BYTES) });
  return `$7$${iterations}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** True if the password matches; compares in constant time. A malformed hash never matches. */
export async function verifyPassword(entry: { passwordHash: string }, password: string | Buffer): Promise<boolean> {
  const parsed = parsePasswordHash(entry.passwordHash);
  if (!parsed) return false;
  const key = await derive(password, parsed);
  return timingSafeEqual(key, parsed.key);
}

const DECOY: ParsedHash = {
  scheme: 'pbkdf2-sha512',
  iterations: DEFAULT_PBKDF2_ITERATIONS,
  salt: randomBytes(PBKDF2_SALT_BYTES),
  key: Buffer.alloc(PBKDF2_KEY_BYTES),
};

/** Spends the time a real check of a new agent's hash would, so an unknown agent id cannot be told from a wrong password. */
export async function verifyNothing(password: string | Buffer): Promise<false> {
  await derive(password, DECOY);
  return false;
}

function memoryFor(params: ScryptParams): number {
  return 128 * params.N * params.r * (params.p + 1);
}

/**
 * Both KDFs run on libuv's thread pool, which the write-ahead log's file I/O shares; at most two run at a
 * time so that a reconnect storm of hundreds of agents cannot starve those writes.
 */
const MAX_CONCURRENT = 2;
let running = 0;
const waiting: Array<() => void> = [];

async function derive(password: string | Buffer, hash: ParsedHash): Promise<Buffer> {
  if (running < MAX_CONCURRENT) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve)); // the slot is handed over, see below
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      const done = (err: Error | null, key: Buffer) => (err ? reject(err) : resolve(key));
      if (hash.scheme === 'pbkdf2-sha512') pbkdf2(password, hash.salt, hash.iterations, hash.key.length, 'sha512', done);
      else scrypt(password, hash.salt, hash.key.length, { ...hash.params, maxmem: memoryFor(hash.params) + 1024 * 1024 }, done);
    });
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}
