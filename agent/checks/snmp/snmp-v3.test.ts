import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, deviceSchema, sampleSchema, snmpCheckSchema, type Sample } from '../../../contract/index.ts';
import { makeTempDir, snmpGetValue, startSnmpd, type SnmpdServer, type SnmpdV3User, type TempDir } from '../../../test/harness/index.ts';
import type { CheckContext } from '../check.ts';
import { createSnmpCheck } from './snmp-check.ts';
import { withSession } from './session.ts';

/** Random per run, at least 8 characters (RFC 3414 §11.2), and unlike anything else in a log line. */
const secret = (tag: string) => `${tag}-${randomBytes(9).toString('base64url')}`;
const USERS = {
  authOnly: { name: 'hm-auth', auth: 'SHA-256', authKey: secret('a256') },
  sha256aes: { name: 'hm-s256', auth: 'SHA-256', authKey: secret('a256p'), priv: 'AES', privKey: secret('p128') },
  sha512aes256: { name: 'hm-s512', auth: 'SHA-512', authKey: secret('a512'), priv: 'AES-256', privKey: secret('p256') },
  shaAes256: { name: 'hm-sha1', auth: 'SHA', authKey: secret('a1'), priv: 'AES-256', privKey: secret('p256s') },
} satisfies Record<string, SnmpdV3User>;
const ALL_SECRETS = Object.values(USERS).flatMap((u) => [u.authKey, 'privKey' in u ? u.privKey : undefined].filter((k) => k !== undefined));
/** Env names are unique to this file so parallel test files cannot see each other's. */
const ENV = { auth: 'HM_V3TEST_AUTH', priv: 'HM_V3TEST_PRIV' };

const logged: string[] = [];
const ctx: CheckContext = {
  now: () => Date.now(),
  log: createLogger('v3-test', 'trace', new Writable({ write: (chunk, _enc, done) => (logged.push(String(chunk)), done()) })),
};
const device = (address: string) => deviceSchema.parse({ name: 'core', address, role: 'core-switch' });
const system = (samples: Sample[]) => samples.find((s) => s.measurement === 'snmp')!;

describe('snmp check with SNMPv3 against net-snmp snmpd', () => {
  let snmpd: SnmpdServer;
  let keys: TempDir;
  const keyFile = (name: string, key: string) => {
    const path = join(keys.path, name);
    writeFileSync(path, `${key}\n`, { mode: 0o600 });
    return path;
  };
  const poll = (extra: Record<string, unknown>) =>
    createSnmpCheck().run(device(snmpd.host), snmpCheckSchema.parse({ version: '3', port: snmpd.port, timeoutSeconds: 0.5, retries: 0, ...extra }), ctx);

  beforeAll(async () => {
    keys = makeTempDir('v3keys');
    snmpd = await startSnmpd({ v3Users: Object.values(USERS) });
  });
  afterAll(async () => {
    delete process.env[ENV.auth];
    delete process.env[ENV.priv];
    await snmpd?.stop();
    await keys?.remove();
  });

  /** What the v2c reference client reads from the same agent: a v3 poll must see the same device. */
  const expectSameDevice = async (samples: Sample[]) => {
    for (const s of samples) expect(sampleSchema.safeParse(s).error).toBeUndefined();
    const sys = system(samples);
    expect(sys.fields.error).toBeUndefined();
    expect(sys.fields).toMatchObject({
      up: 1,
      sys_descr: await snmpGetValue(snmpd, '1.3.6.1.2.1.1.1.0'),
      sys_name: await snmpGetValue(snmpd, '1.3.6.1.2.1.1.5.0'),
      interfaces: Number(await snmpGetValue(snmpd, '1.3.6.1.2.1.2.1.0')),
    });
    expect(samples.some((s) => s.measurement === 'interface' && s.tags.interface === 'lo')).toBe(true);
  };

  it('authNoPriv SHA-256, key from the environment', async () => {
    process.env[ENV.auth] = USERS.authOnly.authKey;
    await expectSameDevice(await poll({ user: USERS.authOnly.name, level: 'authNoPriv', authProtocol: 'sha256', authKeyEnv: ENV.auth }));
  });

  it('authPriv SHA-256 / AES-128, keys from files', async () => {
    const u = USERS.sha256aes;
    await expectSameDevice(
      await poll({ user: u.name, level: 'authPriv', authProtocol: 'sha256', authKeyFile: keyFile('s256.auth', u.authKey), privProtocol: 'aes128', privKeyFile: keyFile('s256.priv', u.privKey) }),
    );
  });

  it('authPriv SHA-512 / AES-256, keys from environment and file', async () => {
    const u = USERS.sha512aes256;
    process.env[ENV.auth] = u.authKey;
    await expectSameDevice(
      await poll({ user: u.name, level: 'authPriv', authProtocol: 'sha512', authKeyEnv: ENV.auth, privProtocol: 'aes256b', privKeyFile: keyFile('s512.priv', u.privKey) }),
    );
  });

  it("SHA-1 / AES-256: net-snmp's AES-256 is the Blumenthal key extension, and the Reeder one is told apart", async () => {
    const u = USERS.shaAes256;
    process.env[ENV.auth] = u.authKey;
    process.env[ENV.priv] = u.privKey;
    const config = { user: u.name, level: 'authPriv', authProtocol: 'sha', authKeyEnv: ENV.auth, privKeyEnv: ENV.priv };
    await expectSameDevice(await poll({ ...config, privProtocol: 'aes256b' }));
    // SHA-1 gives 20 key bytes and AES-256 needs 32: the two drafts extend the key differently.
    expect(system(await poll({ ...config, privProtocol: 'aes256r' })).fields).toEqual({
      up: 0,
      error: 'no answer to encrypted requests though the engine answered discovery (check privKey and privProtocol)',
    });
  });

  it('a wrong auth key says "authentication failed" at once, not a timeout', async () => {
    process.env[ENV.auth] = 'not-the-right-key';
    const started = Date.now();
    const samples = await poll({ user: USERS.authOnly.name, level: 'authNoPriv', authProtocol: 'sha256', authKeyEnv: ENV.auth, timeoutSeconds: 5 });
    expect(system(samples).fields).toEqual({ up: 0, error: 'authentication failed: wrong digest (check authKey and authProtocol)' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a wrong auth protocol is an authentication failure too', async () => {
    process.env[ENV.auth] = USERS.authOnly.authKey;
    const samples = await poll({ user: USERS.authOnly.name, level: 'authNoPriv', authProtocol: 'sha512', authKeyEnv: ENV.auth });
    expect(system(samples).fields.error).toMatch(/^authentication failed: /);
  });

  it('an unknown user says so', async () => {
    process.env[ENV.auth] = USERS.authOnly.authKey;
    const samples = await poll({ user: 'nobody-here', level: 'authNoPriv', authProtocol: 'sha256', authKeyEnv: ENV.auth, timeoutSeconds: 5 });
    expect(system(samples).fields).toEqual({ up: 0, error: 'unknown user "nobody-here"' });
  });

  it('authPriv for a user set up for authNoPriv only', async () => {
    process.env[ENV.auth] = USERS.authOnly.authKey;
    process.env[ENV.priv] = USERS.sha256aes.privKey;
    const samples = await poll({ user: USERS.authOnly.name, level: 'authPriv', authProtocol: 'sha256', authKeyEnv: ENV.auth, privProtocol: 'aes128', privKeyEnv: ENV.priv });
    expect(system(samples).fields).toEqual({ up: 0, error: 'unsupported security level: user "hm-auth" is not set up for authPriv' });
  });

  it('a wrong priv key: the agent drops what it cannot decrypt, and the sample says what to check', async () => {
    const u = USERS.sha256aes;
    process.env[ENV.auth] = u.authKey;
    process.env[ENV.priv] = 'not-the-priv-key';
    const samples = await poll({ user: u.name, level: 'authPriv', authProtocol: 'sha256', authKeyEnv: ENV.auth, privProtocol: 'aes128', privKeyEnv: ENV.priv });
    expect(system(samples).fields.error).toBe('no answer to encrypted requests though the engine answered discovery (check privKey and privProtocol)');
  });

  it('a device that stops answering after the first answer is a timeout, not a key problem', async () => {
    const u = USERS.sha256aes;
    process.env[ENV.auth] = u.authKey;
    process.env[ENV.priv] = u.privKey;
    const config = snmpCheckSchema.parse({
      version: '3', port: snmpd.port, timeoutSeconds: 0.3, retries: 0,
      user: u.name, level: 'authPriv', authProtocol: 'sha256', authKeyEnv: ENV.auth, privProtocol: 'aes128', privKeyEnv: ENV.priv,
    });
    const failure = await withSession(snmpd.host, config, { budgetMs: 5_000 }, async (session) => {
      expect((await session.get(['1.3.6.1.2.1.1.3.0']))[0]).toBeDefined();
      process.kill(snmpd.pid, 'SIGSTOP');
      try {
        await session.get(['1.3.6.1.2.1.1.5.0']);
        return 'answered';
      } catch (error) {
        return (error as Error).message;
      } finally {
        process.kill(snmpd.pid, 'SIGCONT');
      }
    });
    expect(failure).toBe('timeout');
  });

  it('a key the agent cannot find is a sample naming where it looked', async () => {
    delete process.env[ENV.auth];
    const samples = await poll({ user: USERS.authOnly.name, level: 'authNoPriv', authProtocol: 'sha256', authKeyEnv: ENV.auth });
    expect(system(samples).fields).toEqual({ up: 0, error: `credentials: authKeyEnv ${ENV.auth}: not set in the agent's environment` });
    const missing = await poll({ user: USERS.authOnly.name, level: 'authNoPriv', authProtocol: 'sha256', authKeyFile: join(keys.path, 'absent') });
    expect(system(missing).fields.error).toMatch(/^credentials: authKeyFile .*absent: no such file$/);
  });

  it('no key appears in any log line or sample', () => {
    expect(logged.length).toBeGreaterThan(0);
    const text = logged.join('');
    for (const key of ALL_SECRETS) expect(text).not.toContain(key);
    expect(text).not.toContain('not-the-right-key');
    expect(text).not.toContain('not-the-priv-key');
  });
});
