import { describe, expect, it } from 'vitest';
import { describeIssues } from './problems.ts';
import { snmpCheckSchema } from './device.ts';

const problems = (input: unknown) => {
  const result = snmpCheckSchema.safeParse(input);
  return result.success ? [] : describeIssues(result.error);
};

describe('snmp check config', () => {
  it('without a version is v2c with community public, as before v3 existed', () => {
    expect(snmpCheckSchema.parse({})).toEqual({ intervalSeconds: 60, version: '2c', community: 'public', port: 161, timeoutSeconds: 2, retries: 1 });
  });

  it('v3 authPriv names where the keys are, never the keys', () => {
    const config = snmpCheckSchema.parse({
      version: '3',
      user: 'monitor',
      level: 'authPriv',
      authProtocol: 'sha256',
      authKeyFile: '/etc/hallmonitor/snmp/auth.key',
      privProtocol: 'aes128',
      privKeyEnv: 'HM_SNMP_PRIV',
    });
    expect(config).toMatchObject({ version: '3', context: '', port: 161, retries: 1 });
  });

  it('refuses keys written into the config', () => {
    expect(problems({ version: '3', user: 'm', level: 'authNoPriv', authProtocol: 'sha', authKey: 'secret123' }).join('\n')).toMatch(/authKey/);
  });

  it('says which key source is missing, or doubled', () => {
    expect(problems({ version: '3', user: 'm', level: 'authNoPriv', authProtocol: 'sha' })).toEqual([
      "authKeyEnv: expected authKeyEnv (a variable of the agent's environment) or authKeyFile (a file on the agent host) for level authNoPriv",
    ]);
    expect(problems({ version: '3', user: 'm', level: 'authNoPriv', authProtocol: 'sha', authKeyEnv: 'A', authKeyFile: '/a' })).toEqual([
      'authKeyFile: give either authKeyEnv or authKeyFile, not both',
    ]);
  });

  it('authPriv needs a privacy protocol and key; authNoPriv takes none', () => {
    const base = { version: '3', user: 'm', authProtocol: 'sha512', authKeyEnv: 'A' };
    expect(problems({ ...base, level: 'authPriv' })).toEqual([
      'privProtocol: expected one of aes128, aes256b, aes256r, des for level authPriv',
      "privKeyEnv: expected privKeyEnv (a variable of the agent's environment) or privKeyFile (a file on the agent host) for level authPriv",
    ]);
    expect(problems({ ...base, level: 'authNoPriv', privProtocol: 'aes128' })).toEqual(['privProtocol: only with level authPriv; level is authNoPriv']);
  });

  it('has no default protocol: md5 and des only when written', () => {
    expect(problems({ version: '3', user: 'm', level: 'authNoPriv', authKeyEnv: 'A' }).join('\n')).toMatch(/^authProtocol: /);
    expect(problems({ version: '3', user: 'm', level: 'authPriv', authProtocol: 'md5', authKeyEnv: 'A', privProtocol: 'des', privKeyEnv: 'B' })).toEqual([]);
  });

  it('key files are absolute paths (the list is written centrally, read on the agent)', () => {
    expect(problems({ version: '3', user: 'm', level: 'authNoPriv', authProtocol: 'sha', authKeyFile: 'keys/auth' })).toEqual([
      'authKeyFile: an absolute path on the agent host',
    ]);
  });

  it('a v3 user has no community, and an unknown version is named', () => {
    expect(problems({ version: '3', user: 'm', level: 'authNoPriv', authProtocol: 'sha', authKeyEnv: 'A', community: 'x' }).join('\n')).toMatch(/community/);
    expect(problems({ version: 'v3' })).toEqual(['version: Invalid option: expected one of "1"|"2c"|"3", got "v3"']);
  });
});
