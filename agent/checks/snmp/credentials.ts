import { readFileSync } from 'node:fs';
import type { SnmpV3CheckConfig } from '../../../contract/index.ts';

/** Where the agent looks up keys; injected so tests need neither real environment nor files. */
export interface KeySources {
  env(name: string): string | undefined;
  /** The file's text; throws a NodeJS.ErrnoException as fs does. */
  readFile(path: string): string;
}

export const processKeySources: KeySources = {
  env: (name) => process.env[name],
  readFile: (path) => readFileSync(path, 'utf8'),
};

/** The pass phrases of one v3 user, as read on the agent host at the time of the poll. */
export interface V3Keys {
  authKey: string;
  privKey?: string;
}

/** A key that could not be found or is unusable; the message names where it was looked for, never the key. */
export class CredentialsError extends Error {
  override name = 'CredentialsError';
}

/** RFC 3414 §11.2: pass phrases of at least 8 characters; net-snmp's snmpd refuses shorter ones too. */
const MIN_PASSPHRASE = 8;

/**
 * Reads the keys a v3 check names (authKeyEnv/authKeyFile, privKeyEnv/privKeyFile) on every poll, so a
 * rotated key is picked up without a restart. A file's one trailing newline is not part of the key
 * (`echo secret > file` writes one).
 */
export function readV3Keys(config: SnmpV3CheckConfig, sources: KeySources = processKeySources): V3Keys {
  const authKey = readKey('authKey', config.authKeyEnv, config.authKeyFile, sources);
  if (config.level === 'authNoPriv') return { authKey };
  return { authKey, privKey: readKey('privKey', config.privKeyEnv, config.privKeyFile, sources) };
}

function readKey(what: 'authKey' | 'privKey', env: string | undefined, file: string | undefined, sources: KeySources): string {
  let key: string | undefined;
  let from: string;
  if (env !== undefined) {
    from = `${what}Env ${env}`;
    key = sources.env(env);
    if (key === undefined) throw new CredentialsError(`${from}: not set in the agent's environment`);
  } else if (file !== undefined) {
    from = `${what}File ${file}`;
    try {
      key = sources.readFile(file).replace(/\r?\n$/, '');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'not readable by the agent' : (code ?? 'unreadable');
      throw new CredentialsError(`${from}: ${why}`);
    }
  } else {
    // The schema requires one of the two; this is a config built around it.
    throw new CredentialsError(`${what}: neither ${what}Env nor ${what}File given`);
  }
  if (key.length < MIN_PASSPHRASE) throw new CredentialsError(`${from}: shorter than ${MIN_PASSPHRASE} characters (RFC 3414 §11.2)`);
  return key;
}
