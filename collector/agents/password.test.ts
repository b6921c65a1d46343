import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, isMosquittoHash, isPasswordHash, parsePasswordHash, verifyPassword } from './password.ts';

const FAST = { scrypt: { N: 1024, r: 8, p: 1 } };

describe('agent passwords', () => {
  it('are 192 random bits in base64url', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(Buffer.from(a, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect(generatePassword()).not.toBe(a);
  });

  it('hash to Mosquitto 2.0\'s PBKDF2-SHA512 format by default, scrypt on request', async () => {
    const hash = await hashPassword('secret');
    expect(hash).toMatch(/^\$7\$1000\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$/);
    expect(parsePasswordHash(hash)).toMatchObject({ scheme: 'pbkdf2-sha512', iterations: 1_000 });
    expect(isMosquittoHash(hash)).toBe(true);
    const legacy = await hashPassword('secret', FAST);
    expect(legacy).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(isMosquittoHash(legacy)).toBe(false);
  });

  it('verify a hash written by mosquitto_passwd 2.0.11 (password "secret")', async () => {
    const passwordHash = '$7$101$riOyZHtRvM9ktL0F$LbKtnRA9vUfs2OdJNum9Ti7PzNfuBZ3m5eaOYojU+fYxilASDQhi5IYWQVc0pg4VgJacVqXsthyIo2BLC17Seg==';
    expect(await verifyPassword({ passwordHash }, 'secret')).toBe(true);
    expect(await verifyPassword({ passwordHash }, 'Secret')).toBe(false);
  });

  it('verify the right password only, given as string or Buffer, in either format', async () => {
    for (const passwordHash of [await hashPassword('right'), await hashPassword('right', FAST)]) {
      const entry = { passwordHash };
      expect(await verifyPassword(entry, 'right')).toBe(true);
      expect(await verifyPassword(entry, Buffer.from('right'))).toBe(true);
      expect(await verifyPassword(entry, 'wrong')).toBe(false);
      expect(await verifyPassword(entry, '')).toBe(false);
    }
  });

  it('never match a malformed or tampered hash', async () => {
    const hash = await hashPassword('right', FAST);
    const parts = hash.split('$');
    parts[5] = Buffer.alloc(32).toString('base64');
    expect(await verifyPassword({ passwordHash: parts.join('$') }, 'right')).toBe(false);
    expect(await verifyPassword({ passwordHash: 'right' }, 'right')).toBe(false);
  });

  it('refuse hash costs out of bounds, so a hand-edited file cannot stall the collector', () => {
    const salt = Buffer.alloc(16).toString('base64');
    const key = Buffer.alloc(32).toString('base64');
    expect(isPasswordHash(`scrypt$16384$8$1$${salt}$${key}`)).toBe(true);
    expect(isPasswordHash(`scrypt$1000$8$1$${salt}$${key}`)).toBe(false); // N not a power of two
    expect(isPasswordHash(`scrypt$1048576$8$1$${salt}$${key}`)).toBe(false); // N too large
    expect(isPasswordHash(`scrypt$16384$0$1$${salt}$${key}`)).toBe(false);
    expect(isPasswordHash(`bcrypt$16384$8$1$${salt}$${key}`)).toBe(false);
    const key64 = Buffer.alloc(64).toString('base64');
    expect(isPasswordHash(`$7$1000$${salt}$${key64}`)).toBe(true);
    expect(isPasswordHash(`$7$1000000$${salt}$${key64}`)).toBe(false); // iterations too many
    expect(isPasswordHash(`$7$0$${salt}$${key64}`)).toBe(false);
    expect(isPasswordHash(`$7$1000$${salt}$${key}`)).toBe(false); // not a SHA-512 output
    expect(isPasswordHash(`$6$${salt}$${key64}`)).toBe(false); // Mosquitto 1.x sha512: not accepted
  });
});
