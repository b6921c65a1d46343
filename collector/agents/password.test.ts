import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, isPasswordHash, parsePasswordHash, verifyPassword } from './password.ts';

const FAST = { N: 1024, r: 8, p: 1 };

describe('agent passwords', () => {
  it('are 192 random bits in base64url', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(Buffer.from(a, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect(generatePassword()).not.toBe(a);
  });

  it('hash to a self-describing scrypt string with default costs', async () => {
    const hash = await hashPassword('secret');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(parsePasswordHash(hash)).toMatchObject({ params: { N: 16_384, r: 8, p: 1 } });
  });

  it('verify the right password only, given as string or Buffer', async () => {
    const entry = { passwordHash: await hashPassword('right', FAST) };
    expect(await verifyPassword(entry, 'right')).toBe(true);
    expect(await verifyPassword(entry, Buffer.from('right'))).toBe(true);
    expect(await verifyPassword(entry, 'wrong')).toBe(false);
    expect(await verifyPassword(entry, '')).toBe(false);
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
  });
});
