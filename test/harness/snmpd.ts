import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeUdpPort } from './ports.ts';
import { startService } from './process.ts';
import { snmpAnswers } from './snmpget.ts';
import { makeTempDir } from './temp.ts';

export interface SnmpdServer {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  /** Random per start, so a test that polls with the wrong one fails instead of passing by accident. */
  readonly community: string;
  stop(): Promise<void>;
}

/** An SNMPv3 USM user for snmpd's createUser (net-snmp 5.9 names; AES-256 is the Blumenthal key extension). */
export interface SnmpdV3User {
  name: string;
  auth: 'MD5' | 'SHA' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512';
  authKey: string;
  /** Without it the user is authNoPriv. */
  priv?: 'DES' | 'AES' | 'AES-192' | 'AES-256';
  privKey?: string;
}

export interface SnmpdOptions {
  readyTimeoutMs?: number;
  /** Read-only v3 users, each allowed at the level its keys give (rouser ... auth | priv). */
  v3Users?: readonly SnmpdV3User[];
  /** More snmpd.conf lines, e.g. `maxGetbulkResponses 4` or a `pass` script that plays a quirky device. */
  extraConfig?: readonly string[];
}

/** snmpd.conf lines for the users; snmpd turns createUser into usmUser rows in its persistent dir. */
function v3UserLines(users: readonly SnmpdV3User[]): string[] {
  return users.flatMap((u) => {
    if (u.priv !== undefined && u.privKey === undefined) throw new Error(`snmpd v3 user ${u.name}: priv ${u.priv} needs a privKey`);
    const priv = u.priv !== undefined ? ` ${u.priv} ${u.privKey}` : '';
    return [`createUser ${u.name} ${u.auth} ${u.authKey}${priv}`, `rouser ${u.name} ${u.priv !== undefined ? 'priv' : 'auth'}`];
  });
}

/**
 * net-snmp's snmpd (a live agent: this host's real interfaces, HOST-RESOURCES, UCD) on
 * 127.0.0.1:<free udp port>, with its config, pid file and persistent state in a temp dir, not /etc or /var.
 */
export async function startSnmpd(options: SnmpdOptions = {}): Promise<SnmpdServer> {
  const temp = makeTempDir('snmpd');
  try {
    const host = '127.0.0.1';
    const port = await freeUdpPort(host);
    const community = `hm${randomBytes(8).toString('hex')}`;
    const persistentDir = join(temp.path, 'persist');
    mkdirSync(persistentDir);
    const configPath = join(temp.path, 'snmpd.conf');
    writeFileSync(
      configPath,
      [
        `rocommunity ${community} ${host}`,
        // persistentDir is a library token, so it needs the [snmp] prefix in snmpd.conf.
        `[snmp] persistentDir ${persistentDir}`,
        // No AgentX master: it would create a socket under /var/agentx.
        'master no',
        'dontLogTCPWrappersConnects yes',
        ...v3UserLines(options.v3Users ?? []),
        ...(options.extraConfig ?? []),
        '',
      ].join('\n'),
    );
    const service = await startService({
      name: 'snmpd',
      command: 'snmpd',
      // -f foreground, -Lo log to stdout, -C only our config; no MIB files needed to serve OIDs.
      args: ['-f', '-Lo', '-C', '-c', configPath, '-p', join(temp.path, 'snmpd.pid'), '-M', '/dev/null', '-m', '', `udp:${host}:${port}`],
      dir: temp.path,
      ready: () => snmpAnswers({ host, port, community }, '1.3.6.1.2.1.1.3.0', 200),
      readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
      readyWhat: `snmpd at ${host}:${port} to answer sysUpTime`,
    });
    return {
      host,
      port,
      pid: service.pid,
      community,
      async stop() {
        await service.stop();
        await temp.remove();
      },
    };
  } catch (error) {
    await temp.remove();
    throw error;
  }
}
