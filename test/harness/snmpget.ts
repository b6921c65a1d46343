import { execFile } from 'node:child_process';

export interface SnmpTarget {
  host: string;
  port: number;
  community: string;
}

export interface SnmpGetOptions {
  timeoutMs?: number;
  retries?: number;
}

function run(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('snmpget', args, { timeout: timeoutMs + 2_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`snmpget ${args.join(' ')}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

/**
 * One value, as net-snmp's snmpget (the reference client) prints it with -Oqv, quotes of strings removed.
 * Rejects when the agent does not answer. A missing OID resolves to snmpget's "No Such ..." text.
 */
export async function snmpGetValue(target: SnmpTarget, oid: string, options: SnmpGetOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 1_000;
  const stdout = await run(
    [
      '-v2c',
      '-c',
      target.community,
      '-t',
      String(timeoutMs / 1_000),
      '-r',
      String(options.retries ?? 0),
      // No MIBs: numeric output is all we need, and loading them costs time and warnings.
      '-m',
      '',
      '-On',
      '-Oqv',
      `udp:${target.host}:${target.port}`,
      oid,
    ],
    timeoutMs * (1 + (options.retries ?? 0)),
  );
  const value = stdout.replace(/\n$/, '');
  return value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1) : value;
}

/** True once the agent answers anything at all for this community (an SNMP error response counts). */
export async function snmpAnswers(target: SnmpTarget, oid = '1.3.6.1.2.1.1.3.0', timeoutMs = 500): Promise<boolean> {
  try {
    await snmpGetValue(target, oid, { timeoutMs, retries: 0 });
    return true;
  } catch {
    return false;
  }
}
