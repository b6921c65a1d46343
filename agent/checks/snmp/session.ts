import { createRequire } from 'node:module';
import { isIPv6 } from 'node:net';
import type { SnmpCheckConfig } from '../../../contract/index.ts';
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
}
interface NetSnmp {
  createSession(target: string, community: string, options: Record<string, unknown>): NetSnmpSession;
  isVarbindError(varbind: Varbind): boolean;
  Version1: number;
  Version2c: number;
  ErrorStatus: Record<number, string> & { NoSuchName: number };
  RequestFailedError: new (...args: never[]) => Error & { status: number };
  RequestTimedOutError: new (...args: never[]) => Error;
  ResponseInvalidError: new (...args: never[]) => Error;
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
}

/** Rows per GETBULK; 20 keeps responses well under a 1,500-byte frame for most tables. */
const MAX_REPETITIONS = 20;
/** A walk that returns more than this is an agent in a loop, not a table. */
const MAX_WALK_VARBINDS = 100_000;

/**
 * Opens a v1/v2c session, runs `use`, and always closes the socket, whatever happens. Failures reject
 * with SnmpFailure: "timeout", "bad response" (answered with something that is not a valid SNMP reply),
 * the SNMP error-status name, or "poll budget exceeded".
 */
export async function withSession<T>(
  address: string,
  config: SnmpCheckConfig,
  options: SessionOptions,
  use: (session: SnmpSession) => Promise<T>,
): Promise<T> {
  const raw = snmp.createSession(address, config.community, {
    version: config.version === '1' ? snmp.Version1 : snmp.Version2c,
    transport: isIPv6(address) ? 'udp6' : 'udp4',
    port: config.port,
    timeout: Math.round(config.timeoutSeconds * 1000),
    retries: config.retries,
  });
  let garbled = false;
  let expired = false;
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
    return new SnmpFailure(describe(error, garbled));
  };
  const session = makeSession(raw, config.version, options.maxRepetitions ?? MAX_REPETITIONS, fail);
  try {
    return await use(session);
  } finally {
    clearTimeout(budget);
    if (!expired) raw.close();
  }
}

function makeSession(raw: NetSnmpSession, version: '1' | '2c', maxRepetitions: number, fail: (e: unknown) => SnmpFailure): SnmpSession {
  const get = (oids: readonly string[]) =>
    new Promise<(Varbind | undefined)[]>((resolve, reject) => {
      raw.get([...oids], (error, varbinds) => {
        if (error) reject(error);
        else resolve(oids.map((_, i) => present(varbinds?.[i])));
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

function describe(error: unknown, garbled: boolean): string {
  if (error instanceof snmp.RequestTimedOutError) return garbled ? 'bad response' : 'timeout';
  if (error instanceof snmp.ResponseInvalidError) return 'bad response';
  if (error instanceof snmp.RequestFailedError) return `error-status ${snmp.ErrorStatus[error.status] ?? error.status}`;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message.slice(0, 200) : String(error).slice(0, 200);
}
