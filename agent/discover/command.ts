import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { snmpCheckSchema, type SnmpCheckConfig } from '../../contract/index.ts';
import { hostAddresses, parseCidr } from './cidr.ts';
import { discover } from './discover.ts';
import { createProgress } from './progress.ts';
import { proposalYaml } from './propose.ts';
import { systemPinger } from './sweep.ts';

/** The parsed options of `discover`; new ways to reach devices (SNMPv3 users) add fields here. */
export interface DiscoverOptions {
  community: string[];
  snmpVersion: '1' | '2c';
  port: number;
  concurrency: number;
  timeout: number;
  retries: number;
  ping: boolean;
  maxHosts: number;
  out?: string;
}

const integer = (min: number, max: number) => (text: string) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
  return n;
};
const seconds = (text: string) => {
  const n = Number(text);
  if (!(n >= 0.1 && n <= 60)) throw new InvalidArgumentError('expected seconds from 0.1 to 60');
  return n;
};
const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** Every set of SNMP settings to try on a host, in order: each community with the given version. */
export function snmpCandidates(options: DiscoverOptions): SnmpCheckConfig[] {
  const communities = options.community.length > 0 ? options.community : ['public'];
  return communities.map((community) =>
    snmpCheckSchema.parse({ version: options.snmpVersion, community, port: options.port, timeoutSeconds: options.timeout, retries: options.retries }),
  );
}

/** `hallmonitor-agent discover <cidr>`: proposes a device list for a site file. */
export function discoverCommand(): Command {
  return new Command('discover')
    .description('sweep a network (ping, then SNMP), classify what answers, and print a proposed device list for the site file (YAML)')
    .argument('<cidr>', 'IPv4 network to sweep, e.g. 10.20.0.0/24')
    .option('--community <community>', 'SNMP community to try (repeat for several, tried in order; default public)', collect)
    .addOption(new Option('--snmp-version <version>', 'SNMP version for communities').choices(['1', '2c']).default('2c'))
    .option('--port <port>', 'SNMP UDP port', integer(1, 65_535), 161)
    .option('--concurrency <n>', 'hosts probed at once', integer(1, 256), 32)
    .option('--timeout <seconds>', 'wait per SNMP request and per ping', seconds, 1)
    .option('--retries <n>', 'SNMP retries per request', integer(0, 5), 0)
    .option('--no-ping', 'skip the ping sweep and try SNMP on every address (ICMP filtered)')
    .option('--max-hosts <n>', 'refuse networks with more host addresses than this', integer(1, 1 << 20), 4096)
    .option('--out <file>', 'write the YAML here instead of standard output')
    .action(async (cidr: string, raw: Omit<DiscoverOptions, 'community'> & { community?: string[] }, command: Command) => {
      const options: DiscoverOptions = { ...raw, community: raw.community ?? [] };
      let addresses: string[];
      try {
        addresses = hostAddresses(parseCidr(cidr), options.maxHosts);
      } catch (error) {
        command.error(`discover: ${(error as Error).message}`, { exitCode: 2 });
      }
      const started = new Date();
      const found = await discover(
        { addresses, snmp: snmpCandidates(options), concurrency: options.concurrency, ping: options.ping },
        { pinger: systemPinger(options.timeout), progress: createProgress(process.stderr) },
      );
      const snmp = found.filter((h) => h.snmp !== undefined).length;
      const header = [
        ` Proposed by \`hallmonitor-agent discover ${cidr}\` at ${started.toISOString()}:`,
        ` ${found.length} of ${addresses.length} addresses answered, ${snmp} of them SNMP.`,
        ' Check names, roles and parents, then put these under `devices:` in sites/<site>.yaml.',
      ].join('\n');
      const yaml = proposalYaml(found, header);
      if (options.out !== undefined) writeFileSync(options.out, yaml);
      else process.stdout.write(yaml);
      process.stderr.write(`discover: ${found.length} devices proposed${options.out === undefined ? '' : ` in ${options.out}`}\n`);
    });
}
