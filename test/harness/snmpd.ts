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

/**
 * net-snmp's snmpd (a live agent: this host's real interfaces, HOST-RESOURCES, UCD) on
 * 127.0.0.1:<free udp port>, with its config, pid file and persistent state in a temp dir, not /etc or /var.
 */
export async function startSnmpd(options: { readyTimeoutMs?: number } = {}): Promise<SnmpdServer> {
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
