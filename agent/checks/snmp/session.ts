import { createRequire } from 'node:module';
import { isIPv6 } from 'node:net';
import type { SnmpCheckConfig, SnmpV3CheckConfig } from '../../../contract/index.ts';
import { CredentialsError, processKeySources, readV3Keys, type KeySources } from './credentials.ts';
import { compareOids } from './values.ts';

/** One variable binding as net-snmp hands it over (value: number, Buffer, string or null by type). */
export interface Varbind {
  oid: string;
  type: number;
  value: unknown;
}

/** The part of net-snmp 3.x used here; it ships no types. */
interface NetSnmpSession {
  get(oids: string[], cb: (error: Error | null, varbinds?: Varbind[]) => void): void;
  subtree(oid: string, maxRepetitions: number, feed: (varbinds: Varbind[]) => boolean | void, done: (error?: Error | null) => void): void;
  close(): void;
  on(event: 'error', listener: (error: unknown) => void): void;
  /** Set by net-snmp once a v3 engine answered discovery (RFC 3414 §4); absent for v1/v2c. */
  msgSecurityParameters?: { msgAuthoritativeEngineID?: Buffer };
}
interface UsmUser {
  name: string;
  level: number;
  authProtocol: number;
  authKey: string;
  privProtocol?: number;
  privKey?: string;
}
interface NetSnmp {
  createSession(target: string, community: string, options: Record<string, unknown>): NetSnmpSession;
  createV3Session(target: string, user: UsmUser, options: Record<string, unknown>): NetSnmpSession;
  SecurityLevel: Record<'authNoPriv' | 'authPriv', number>;
  AuthProtocols: Record<SnmpV3CheckConfig['authProtocol'], number>;
  PrivProtocols: Record<'aes' | 'aes256b' | 'aes256r' | 'des', number>;
  ResponseInvalidCode: Record<'ECouldNotDecrypt' | 'EAuthFailure', number>;
  isVarbindError(varbind: Varbind): boolean;
  Version1: number;
  Version2c: number;
  ErrorStatus: Record<number, string> & { NoSuchName: number };
  RequestFailedError: new (...args: never[]) => Error & { status: number };
  RequestTimedOutError: new (...args: never[]) => Error;
  ResponseInvalidError: new (...args: never[]) => Error & { code: number };
}
const snmp = createRequire(import.meta.url)('net-snmp') as NetSnmp;

/** Why a request got no usable answer, in the few words that go into a sample's `error` field. */
export class SnmpFailure extends Error {
  override name = 'SnmpFailure';
}

export interface SnmpSession {
  /** GET; a missing object (noSuchObject/noSuchInstance, or v1 noSuchName) comes back as undefined. */
  get(oids: readonly string[]): Promise<(Varbind | undefined)[]>;
  /** Every object under `oid`, in order; stops at the end of the subtree and at endOfMibView (RFC 3416 §4.2.3). */
  walk(oid: string): Promise<Varbind[]>;
}

export interface SessionOptions {
  /** Hard stop for everything done in the session; a slow device must not overrun the poll interval. */
  budgetMs: number;
  maxRepetitions?: number;
  /** Where v3 keys are read from; the agent's environment and files by default. */
  keys?: KeySources;
}

/** Rows per GETBULK; 20 keeps responses well under a 1,500-byte frame for most tables. */
const MAX_REPETITIONS = 20;
/** A walk that returns more than this is an agent in a loop, not a table. */
const MAX_WALK_VARBINDS = 100_000;

/**
 * Opens a v1/v2c/v3 session, runs `use`, and always closes the socket, whatever happens. Failures reject
 * with SnmpFailure: "timeout", "bad response" (answered with something that is not a valid SNMP reply),
 * the SNMP error-status name, "poll budget exceeded", or for v3 what the USM said was wrong
 * ("authentication failed: ...", "unknown user ...", "credentials: ...").
 */
export async function withSession<T>(
  address: string,
  config: SnmpCheckConfig,
  options: SessionOptions,
  use: (session: SnmpSession) => Promise<T>,
): Promise<T> {
  const common = {
    transport: isIPv6(address) ? 'udp6' : 'udp4',
    port: config.port,
    timeout: Math.round(config.timeoutSeconds * 1000),
    retries: config.retries,
  };
  const raw =
    config.version === '3'
      ? snmp.createV3Session(address, usmUser(config, options.keys ?? processKeySources), { ...common, context: config.context })
      : snmp.createSession(address, config.community, { ...common, version: config.version === '1' ? snmp.Version1 : snmp.Version2c });
  let garbled = false;
  let expired = false;
  /** Some request of this session got its answer; a later timeout is then a slow device, not a wrong key. */
  const progress = { answered: false };
  // net-snmp emits 'error' for datagrams it cannot decode; without a listener that would crash the agent.
  raw.on('error', () => {
    garbled = true;
  });
  const budget = setTimeout(() => {
    expired = true;
    raw.close();
  }, options.budgetMs);
  const fail = (error: unknown): SnmpFailure => {
    if (error instanceof SnmpFailure) return error;
    if (expired) return new SnmpFailure('poll budget exceeded');
    if (config.version === '3') {
      const onlyDiscoveryAnswered = !progress.answered && raw.msgSecurityParameters?.msgAuthoritativeEngineID !== undefined;
      const v3 = describeV3(error, config, onlyDiscoveryAnswered);
      if (v3 !== undefined) return new SnmpFailure(v3);
    }
    return new SnmpFailure(describe(error, garbled));
  };
  const session = makeSession(raw, config.version, options.maxRepetitions ?? MAX_REPETITIONS, fail, progress);
  try {
    return await use(session);
  } finally {
    clearTimeout(budget);
    if (!expired) raw.close();
  }
}

function makeSession(
  raw: NetSnmpSession,
  version: SnmpCheckConfig['version'],
  maxRepetitions: number,
  fail: (e: unknown) => SnmpFailure,
  progress: { answered: boolean },
): SnmpSession {
  const get = (oids: readonly string[]) =>
    new Promise<(Varbind | undefined)[]>((resolve, reject) => {
      raw.get([...oids], (error, varbinds) => {
        if (error) {
          reject(error);
          return;
        }
        progress.answered = true;
        resolve(oids.map((_, i) => present(varbinds?.[i])));
      });
    });

  return {
    async get(oids) {
      try {
        return await get(oids);
      } catch (error) {
        if (!(version === '1' && oids.length > 1 && isNoSuchName(error))) throw fail(error);
      }
      // SNMPv1 fails the whole GET with noSuchName if any one object is missing (RFC 1157 §4.1.2):
      // ask for each on its own so the others still arrive.
      const out: (Varbind | undefined)[] = [];
      for (const oid of oids) {
        try {
          out.push((await get([oid]))[0]);
        } catch (error) {
          if (!isNoSuchName(error)) throw fail(error);
          out.push(undefined);
        }
      }
      return out;
    },

    walk(oid) {
      return new Promise<Varbind[]>((resolve, reject) => {
        const rows: Varbind[] = [];
        let problem: SnmpFailure | undefined;
        let last: string | undefined;
        raw.subtree(
          oid,
          maxRepetitions,
          (varbinds) => {
            progress.answered = true;
            for (const vb of varbinds) {
              if (snmp.isVarbindError(vb)) continue;
              // An agent that does not move forward would keep us walking forever (cf. snmpwalk's "OID not increasing").
              if (last !== undefined && compareOids(vb.oid, last) <= 0) {
                problem = new SnmpFailure('bad response: OID not increasing');
                return true;
              }
              last = vb.oid;
              rows.push(vb);
            }
            if (rows.length > MAX_WALK_VARBINDS) {
              problem = new SnmpFailure('bad response: table too large');
              return true;
            }
            return false;
          },
          (error) => {
            if (problem) reject(problem);
            else if (error) reject(fail(error));
            else resolve(rows);
          },
        );
      });
    },
  };
}

function present(vb: Varbind | undefined): Varbind | undefined {
  return vb === undefined || snmp.isVarbindError(vb) ? undefined : vb;
}

function isNoSuchName(error: unknown): boolean {
  return error instanceof snmp.RequestFailedError && error.status === snmp.ErrorStatus.NoSuchName;
}

/** The user as net-snmp takes it, keys read now; a missing key is a failure of this poll, not a crash. */
function usmUser(config: SnmpV3CheckConfig, sources: KeySources): UsmUser {
  let keys;
  try {
    keys = readV3Keys(config, sources);
  } catch (error) {
    if (error instanceof CredentialsError) throw new SnmpFailure(`credentials: ${error.message}`);
    throw error;
  }
  const user: UsmUser = {
    name: config.user,
    level: snmp.SecurityLevel[config.level],
    authProtocol: snmp.AuthProtocols[config.authProtocol],
    authKey: keys.authKey,
  };
  if (config.level === 'authPriv' && config.privProtocol !== undefined) {
    user.privProtocol = snmp.PrivProtocols[config.privProtocol === 'aes128' ? 'aes' : config.privProtocol];
    user.privKey = keys.privKey;
  }
  return user;
}

/**
 * The USM's report PDUs (RFC 3414 §3.2, usmStats* counters in 1.3.6.1.6.3.15.1.1) in words a tech acts
 * on. net-snmp turns a report into a ResponseInvalidError whose message is the counter's name.
 */
function describeV3(error: unknown, config: SnmpV3CheckConfig, onlyDiscoveryAnswered: boolean): string | undefined {
  if (error instanceof snmp.RequestTimedOutError && onlyDiscoveryAnswered && config.level === 'authPriv') {
    // An agent that cannot decrypt a scopedPDU (wrong privKey or privProtocol) drops it silently: net-snmp's
    // snmpd logs "error parsing ScopedPDU" and sends no report. The engine did answer discovery, so say so.
    return 'no answer to encrypted requests though the engine answered discovery (check privKey and privProtocol)';
  }
  if (!(error instanceof snmp.ResponseInvalidError)) return undefined;
  if (error.code === snmp.ResponseInvalidCode.ECouldNotDecrypt) return 'decryption failed (check privKey and privProtocol)';
  if (error.code !== snmp.ResponseInvalidCode.EAuthFailure) return undefined;
  const report = error.message;
  if (report.startsWith('Wrong Digest') || report.startsWith('Authentication digest')) {
    return 'authentication failed: wrong digest (check authKey and authProtocol)';
  }
  if (report.startsWith('Unknown User Name')) return `unknown user "${config.user}"`;
  if (report.startsWith('Unsupported Security Level')) return `unsupported security level: user "${config.user}" is not set up for ${config.level}`;
  if (report.startsWith('Decryption Error')) return 'decryption failed (check privKey and privProtocol)';
  if (report.startsWith('Not In Time Window')) return 'not in time window (engine boots/time)';
  if (report.startsWith('Unknown Engine ID')) return 'unknown engine id';
  return `authentication failed: ${report.slice(0, 100)}`;
}

function describe(error: unknown, garbled: boolean): string {
  if (error instanceof snmp.RequestTimedOutError) return garbled ? 'bad response' : 'timeout';
  if (error instanceof snmp.ResponseInvalidError) return 'bad response';
  if (error instanceof snmp.RequestFailedError) return `error-status ${snmp.ErrorStatus[error.status] ?? error.status}`;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message.slice(0, 200) : String(error).slice(0, 200);
}
