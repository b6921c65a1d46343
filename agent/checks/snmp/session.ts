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
  getNext(oids: string[], cb: (error: Error | null, varbinds?: Varbind[]) => void): void;
  /** With nonRepeaters 0, the answer comes as one array per requested OID, its repetitions in order. */
  getBulk(oids: string[], nonRepeaters: number, maxRepetitions: number, cb: (error: Error | null, varbinds?: Varbind[][]) => void): void;
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
  ErrorStatus: Record<number, string> & { NoSuchName: number; TooBig: number };
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
  /**
   * Several columns (or subtrees) walked side by side, each request carrying every column still in
   * progress: one array per column, in the order given, each in OID order. Rejects with SnmpFailure if
   * any column fails, since half a table misleads.
   */
  walkColumns(columns: readonly string[]): Promise<Varbind[][]>;
  /**
   * One GETNEXT: the first object after `oid` (anywhere in the MIB view), or undefined at endOfMibView.
   * Used to ask "does the device answer anything under this subtree" without walking all of it.
   */
  next(oid: string): Promise<Varbind | undefined>;
}

export interface SessionOptions {
  /** Hard stop for everything done in the session; a slow device must not overrun the poll interval. */
  budgetMs: number;
  /** Most varbinds asked for in one request (columns × repetitions); halved when a device says tooBig. */
  maxVarbinds?: number;
  /** Where v3 keys are read from; the agent's environment and files by default. */
  keys?: KeySources;
}

/**
 * Varbinds per request: 60 IF-MIB cells are ~2–3 kB, which every agent we know answers (a device with a
 * smaller limit returns fewer repetitions, RFC 3416 §4.2.3, or tooBig, and then gets asked for fewer).
 * More per request saves round trips; many more makes each column's overshoot past its end dearer.
 */
const MAX_VARBINDS = 60;
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
  const session = makeSession(raw, config.version, options.maxVarbinds ?? MAX_VARBINDS, fail, progress);
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
  maxVarbinds: number,
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

    async walk(oid) {
      return (await walkColumns([oid]))[0]!;
    },

    walkColumns,

    async next(oid) {
      try {
        const answer = await nextRound([oid], 1);
        return present(answer[0]?.[0]);
      } catch (error) {
        // SNMPv1 says noSuchName past the end of its MIB (RFC 1157 §4.1.3).
        if (version === '1' && isNoSuchName(error)) return undefined;
        throw fail(error);
      }
    },
  };

  /** One round of the walk: for each OID asked, what came back after it (GETBULK repetitions, or one GETNEXT). */
  function nextRound(oids: string[], repetitions: number): Promise<Varbind[][]> {
    return new Promise((resolve, reject) => {
      const done = (error: Error | null, varbinds?: Varbind[][]) => {
        if (error) {
          reject(error);
          return;
        }
        progress.answered = true;
        resolve(varbinds ?? []);
      };
      // SNMPv1 has no GETBULK (RFC 3416 §4.2.3 is v2): GETNEXT with one varbind per column instead.
      if (version === '1') raw.getNext(oids, (error, varbinds) => done(error, varbinds?.map((vb) => [vb])));
      else raw.getBulk(oids, 0, repetitions, done);
    });
  }

  async function walkColumns(columns: readonly string[]): Promise<Varbind[][]> {
    const found: Varbind[][] = columns.map(() => []);
    const prefixes = columns.map((c) => `${c}.`);
    /** Where each column's walk has got to: the last OID received, the column itself at first. */
    const cursor = [...columns];
    let open = columns.map((_, i) => i);
    let limit = Math.max(1, maxVarbinds);
    /** Varbinds kept so far, all columns. */
    let total = 0;
    while (open.length > 0) {
      const batch = open.slice(0, limit);
      const repetitions = Math.max(1, Math.floor(limit / batch.length));
      let answer: Varbind[][];
      try {
        answer = await nextRound(batch.map((i) => cursor[i]!), repetitions);
      } catch (error) {
        if (isTooBig(error) && limit > 1) {
          limit = Math.floor(limit / 2);
          continue;
        }
        if (version === '1' && isNoSuchName(error)) {
          // A v1 agent fails the whole GETNEXT with noSuchName when one varbind is past the end of its MIB
          // (RFC 1157 §4.1.3); that column is finished. net-snmp names the varbind in the message.
          const ended = batch.find((i) => (error as Error).message.endsWith(`: ${cursor[i]}`)) ?? (batch.length === 1 ? batch[0] : undefined);
          if (ended !== undefined) {
            open = open.filter((i) => i !== ended);
            continue;
          }
          if (limit > 1) {
            limit = 1;
            continue;
          }
        }
        throw fail(error);
      }
      const finished = new Set<number>();
      let moved = false;
      batch.forEach((i, k) => {
        for (const vb of answer[k] ?? []) {
          // Past the column (its overshoot into the next one is dropped), or at the end of the MIB view;
          // noSuch* do not belong in a GETBULK answer, but some agents send them, and snmpwalk stops there too.
          if (snmp.isVarbindError(vb) || !vb.oid.startsWith(prefixes[i]!)) {
            finished.add(i);
            return;
          }
          // An agent that does not move forward would keep us walking forever (cf. snmpwalk's "OID not increasing").
          if (compareOids(vb.oid, cursor[i]!) <= 0) throw new SnmpFailure('bad response: OID not increasing');
          found[i]!.push(vb);
          cursor[i] = vb.oid;
          total++;
          moved = true;
        }
      });
      if (!moved && finished.size === 0) {
        // An empty answer: a device that cut its reply to nothing rather than saying tooBig.
        if (limit > 1) {
          limit = Math.floor(limit / 2);
          continue;
        }
        throw new SnmpFailure('bad response: empty answer');
      }
      if (finished.size > 0) open = open.filter((i) => !finished.has(i));
      if (total > MAX_WALK_VARBINDS) throw new SnmpFailure('bad response: table too large');
    }
    return found;
  }
}

function present(vb: Varbind | undefined): Varbind | undefined {
  return vb === undefined || snmp.isVarbindError(vb) ? undefined : vb;
}

function isTooBig(error: unknown): boolean {
  return error instanceof snmp.RequestFailedError && error.status === snmp.ErrorStatus.TooBig;
}

function isNoSuchName(error: unknown): boolean {
  return error instanceof snmp.RequestFailedError && error.status === snmp.ErrorStatus.NoSuchName;
}

/** The user as net-snmp takes it, keys read now; a missing key is a failure of this poll, not a crash. */
export function usmUser(config: SnmpV3CheckConfig, sources: KeySources): UsmUser {
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
