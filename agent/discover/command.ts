import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { systemErrorText, snmpAuthProtocolSchema, snmpCheckSchema, snmpPrivProtocolSchema, snmpV3CheckSchema, type SnmpCheckConfig } from '../../contract/index.ts';
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
  /** One SNMPv3 user, tried after the communities. Keys are named by variable or file, never given. */
  v3User?: string;
  v3Level?: 'authNoPriv' | 'authPriv';
  v3AuthProtocol?: string;
  v3AuthKeyEnv?: string;
  v3AuthKeyFile?: string;
  v3PrivProtocol?: string;
  v3PrivKeyEnv?: string;
  v3PrivKeyFile?: string;
  v3Context?: string;
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

/**
 * Every set of SNMP settings to try on a host, in order: each community with the given version, then the
 * v3 user if one is given. With only a v3 user, no community is tried. Throws with the option's name when
 * the v3 options do not make a valid user.
 */
export function snmpCandidates(options: DiscoverOptions): SnmpCheckConfig[] {
  const transport = { port: options.port, timeoutSeconds: options.timeout, retries: options.retries };
  const v3 = options.v3User === undefined ? undefined : v3Candidate(options, transport);
  const communities = options.community.length > 0 ? options.community : v3 === undefined ? ['public'] : [];
  const candidates = communities.map((community) => snmpCheckSchema.parse({ version: options.snmpVersion, community, ...transport }));
  return v3 === undefined ? candidates : [...candidates, v3];
}

const V3_OPTIONS: Record<string, string> = {
  user: '--v3-user', level: '--v3-level', authProtocol: '--v3-auth-protocol', authKeyEnv: '--v3-auth-key-env',
  authKeyFile: '--v3-auth-key-file', privProtocol: '--v3-priv-protocol', privKeyEnv: '--v3-priv-key-env',
  privKeyFile: '--v3-priv-key-file', context: '--v3-context',
};

function v3Candidate(options: DiscoverOptions, transport: object): SnmpCheckConfig {
  const result = snmpV3CheckSchema.safeParse({
    version: '3',
    ...transport,
    user: options.v3User,
    level: options.v3Level ?? (options.v3PrivProtocol !== undefined ? 'authPriv' : 'authNoPriv'),
    authProtocol: options.v3AuthProtocol,
    authKeyEnv: options.v3AuthKeyEnv,
    authKeyFile: options.v3AuthKeyFile,
    privProtocol: options.v3PrivProtocol,
    privKeyEnv: options.v3PrivKeyEnv,
    privKeyFile: options.v3PrivKeyFile,
    context: options.v3Context,
  });
  if (result.success) return result.data;
  // Name the command-line option, not the schema key, so the tech knows what to retype.
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    return `${V3_OPTIONS[key] ?? key}: ${issue.message.replace(/\b(authKeyEnv|authKeyFile|privKeyEnv|privKeyFile|privProtocol)\b/g, (k) => V3_OPTIONS[k]!)}`;
  });
  throw new Error(problems.join('; '));
}

/** Throws when `--out` names a folder, or a file in a folder that is missing or not writable. */
function checkOutFile(file: string): void {
  let isDir = false;
  try {
    isDir = statSync(file).isDirectory();
  } catch {
    // not there yet: its folder must be
  }
  if (isDir) throw new Error(`--out ${file}: is a folder; give a file name for the YAML`);
  try {
    accessSync(dirname(file), constants.W_OK);
  } catch (error) {
    throw new Error(`--out ${file}: cannot write into ${dirname(file)}: ${systemErrorText(error) ?? (error as Error).message}`);
  }
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
    .option('--v3-user <name>', 'an SNMPv3 user to try after the communities (alone: no community is tried)')
    .addOption(new Option('--v3-level <level>', 'authNoPriv, or authPriv (the default when --v3-priv-protocol is given)').choices(['authNoPriv', 'authPriv']))
    .addOption(new Option('--v3-auth-protocol <protocol>', 'HMAC of the v3 user').choices(snmpAuthProtocolSchema.options))
    .option('--v3-auth-key-env <variable>', 'environment variable holding the auth key (no key on the command line: it would show in ps and the shell history)')
    .option('--v3-auth-key-file <path>', 'absolute path of a file holding the auth key')
    .addOption(new Option('--v3-priv-protocol <protocol>', 'cipher for authPriv').choices(snmpPrivProtocolSchema.options))
    .option('--v3-priv-key-env <variable>', 'environment variable holding the privacy key')
    .option('--v3-priv-key-file <path>', 'absolute path of a file holding the privacy key')
    .option('--v3-context <name>', 'SNMPv3 context name')
    .action(async (cidr: string, raw: Omit<DiscoverOptions, 'community'> & { community?: string[] }, command: Command) => {
      const options: DiscoverOptions = { ...raw, community: raw.community ?? [] };
      let addresses: string[];
      let candidates: SnmpCheckConfig[];
      try {
        candidates = snmpCandidates(options);
        addresses = hostAddresses(parseCidr(cidr), options.maxHosts);
        // Before the sweep, which can take minutes: a folder that is not there fails now, not at the end.
        if (options.out !== undefined) checkOutFile(options.out);
      } catch (error) {
        command.error((error as Error).message, { exitCode: 2 });
      }
      const started = new Date();
      const found = await discover(
        { addresses, snmp: candidates, concurrency: options.concurrency, ping: options.ping },
        { pinger: systemPinger(options.timeout), progress: createProgress(process.stderr) },
      );
      const snmp = found.filter((h) => h.snmp !== undefined).length;
      const header = [
        ` Proposed by \`hallmonitor-agent discover ${cidr}\` at ${started.toISOString()}:`,
        ` ${found.length} of ${addresses.length} addresses answered, ${snmp} of them SNMP.`,
        ' Check names, roles and parents, then put these under `devices:` in sites/<site>.yaml.',
      ].join('\n');
      const yaml = proposalYaml(found, header);
      if (options.out !== undefined) {
        try {
          writeFileSync(options.out, yaml);
        } catch (error) {
          command.error(`--out ${options.out}: cannot write: ${systemErrorText(error) ?? (error as Error).message}`, { exitCode: 2 });
        }
      }
      else process.stdout.write(yaml);
      process.stderr.write(`discover: ${found.length} devices proposed${options.out === undefined ? '' : ` in ${options.out}`}\n`);
    });
}
