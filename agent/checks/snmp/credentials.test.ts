import { describe, expect, it } from 'vitest';
import { snmpV3CheckSchema } from '../../../contract/index.ts';
import { CredentialsError, readV3Keys, type KeySources } from './credentials.ts';

const files: Record<string, string> = { '/keys/auth': 'auth-secret-1\n', '/keys/priv': 'priv-secret-2\r\n', '/keys/short': 'abc\n' };
const sources: KeySources = {
  env: (name) => ({ HM_AUTH: 'env-auth-secret', HM_EMPTY: '' })[name],
  readFile: (path) => {
    if (path === '/keys/locked') throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    return text;
  },
};
const v3 = (extra: Record<string, unknown>) =>
  snmpV3CheckSchema.parse({ version: '3', user: 'monitor', level: 'authNoPriv', authProtocol: 'sha256', ...extra });

describe('readV3Keys', () => {
  it('reads keys from the environment and from files, without the trailing newline', () => {
    expect(readV3Keys(v3({ authKeyEnv: 'HM_AUTH' }), sources)).toEqual({ authKey: 'env-auth-secret' });
    expect(
      readV3Keys(v3({ level: 'authPriv', authKeyFile: '/keys/auth', privProtocol: 'aes128', privKeyFile: '/keys/priv' }), sources),
    ).toEqual({ authKey: 'auth-secret-1', privKey: 'priv-secret-2' });
  });

  it('names the variable or file it could not use, and never the key', () => {
    const failure = (extra: Record<string, unknown>) => {
      try {
        readV3Keys(v3(extra), sources);
      } catch (error) {
        expect(error).toBeInstanceOf(CredentialsError);
        return (error as Error).message;
      }
      throw new Error('expected a CredentialsError');
    };
    expect(failure({ authKeyEnv: 'HM_NOT_SET' })).toBe("authKeyEnv HM_NOT_SET: not set in the agent's environment");
    expect(failure({ authKeyEnv: 'HM_EMPTY' })).toBe('authKeyEnv HM_EMPTY: shorter than 8 characters (RFC 3414 §11.2)');
    expect(failure({ authKeyFile: '/keys/missing' })).toBe('authKeyFile /keys/missing: no such file');
    expect(failure({ authKeyFile: '/keys/locked' })).toBe('authKeyFile /keys/locked: not readable by the agent');
    const short = failure({ authKeyFile: '/keys/short' });
    expect(short).toBe('authKeyFile /keys/short: shorter than 8 characters (RFC 3414 §11.2)');
    expect(short).not.toContain('abc');
    expect(failure({ level: 'authPriv', authKeyEnv: 'HM_AUTH', privProtocol: 'aes256b', privKeyEnv: 'HM_NOT_SET' })).toBe(
      "privKeyEnv HM_NOT_SET: not set in the agent's environment",
    );
  });
});
