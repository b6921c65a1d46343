import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { ConfigError, SOFTWARE_VERSION, createLogger, runCommandLine, say, untilSignal } from '../../contract/index.ts';
import { agentConfigSnippet } from '../agents/snippet.ts';
import { hashPassword } from '../agents/password.ts';
import { addAgent, loadAgents, revokeAgent } from '../agents/store.ts';
import { mosquittoFiles } from '../broker/external-mosquitto.ts';
import { writeMosquittoFiles } from './mosquitto-files.ts';
import { brokerUrlFromConfig, brokerUrlOption } from './broker-url.ts';
import { idOption, writingInto } from './user-input.ts';
import { registerAlertCommands } from '../alerts/cli.ts';
import { loadCollectorConfig, loadSites } from '../config/load.ts';
import { addReportCommand } from '../reports/cli.ts';
import { registerWebCommands } from '../web/cli.ts';

const program = new Command('hallmonitor-collector')
  .description('Receives samples from school agents over MQTT, stores them in InfluxDB and pushes each site\'s device list.')
  .version(SOFTWARE_VERSION);
const configOption = ['-c, --config <file>', 'collector config file', 'collector.yaml'] as const;

program
  .command('run', { isDefault: true })
  .description('run the broker (embedded, or a client of the external one) and the ingest until stopped (SIGTERM/SIGINT)')
  .option(...configOption)
  .action(async (opts: { config: string }) => {
    const config = loadCollectorConfig(opts.config);
    const log = createLogger('collector', config.logLevel);
    // Imported here, not at the top: the whole collector (broker, ingest, alerts, web) costs seconds of CPU
    // to load, which every other command (agent add, check-config, report, --help) has no use for.
    const { startConfiguredCollector } = await import('../run.ts');
    const collector = await startConfiguredCollector(config, log);
    const signal = await untilSignal();
    log.info({ signal }, 'stopping');
    await collector.stop();
  });

program
  .command('check-config')
  .description('validate collector.yaml, every site file and the agents file')
  .option(...configOption)
  .action((opts: { config: string }) => {
    const config = loadCollectorConfig(opts.config);
    const sites = loadSites(config.sitesDir);
    const devices = sites.reduce((n, s) => n + s.devices.length, 0);
    const agents = loadAgents(config.agentsFile);
    say(`${opts.config}: ok; ${sites.length} sites, ${devices} devices, ${agents.length} agents`);
  });

const agent = program.command('agent').description('manage agent credentials');
agent
  .command('add')
  .description('create credentials for a school\'s agent and print its agent.yaml')
  .requiredOption('--site <id>', 'site the agent belongs to')
  .option('--id <id>', 'agent id (default: <site>-1)')
  .option('--broker-url <url>', 'how the agent reaches this collector, e.g. mqtts://collector.provider.example:8883 (default: from broker: in the config, when it names one address)')
  .option('--ca <pem>', 'CA certificate the agent pins (install-collector.sh made /etc/hallmonitor/tls/ca.pem)')
  .option(...configOption)
  .action(async (opts: { site: string; id?: string; brokerUrl?: string; ca?: string; config: string }) => {
    // Checked before anything uses them: the site id goes into a file name and the suggestion below.
    idOption(opts.site, '--site');
    if (opts.id !== undefined) idOption(opts.id, '--id');
    if (opts.brokerUrl !== undefined) brokerUrlOption(opts.brokerUrl);
    const config = loadCollectorConfig(opts.config);
    if (!loadSites(config.sitesDir).some((s) => s.id === opts.site)) {
      throw new ConfigError(`--site: no site "${opts.site}" in ${config.sitesDir}; add ${opts.site}.yaml there first (id: ${opts.site})`);
    }
    const brokerUrl = opts.brokerUrl ?? brokerUrlFromConfig(config);
    const id = opts.id ?? `${opts.site}-1`;
    let caPem: string | undefined;
    if (opts.ca !== undefined) {
      try {
        caPem = readFileSync(opts.ca, 'utf8');
      } catch (err) {
        throw new ConfigError(`--ca ${opts.ca}: cannot read it: ${(err as NodeJS.ErrnoException).code}`);
      }
      if (!caPem.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError(`--ca ${opts.ca}: expected a PEM certificate`);
    }
    const { password } = await addAgent(config.agentsFile, { id, site: opts.site });
    say(agentConfigSnippet({ id, site: opts.site, password, brokerUrl, caPem }));
  });
agent
  .command('revoke')
  .description('refuse this agent from its next connection on, and disconnect it if it is connected')
  .requiredOption('--id <id>', 'agent id')
  .option(...configOption)
  .action((opts: { id: string; config: string }) => {
    const config = loadCollectorConfig(opts.config);
    const entry = revokeAgent(config.agentsFile, opts.id);
    say(`agent ${entry.id} of site ${entry.site} revoked at ${entry.revokedAt}`);
  });
agent
  .command('list')
  .description('list agents (never their secrets)')
  .option(...configOption)
  .action((opts: { config: string }) => {
    const config = loadCollectorConfig(opts.config);
    for (const e of loadAgents(config.agentsFile)) {
      say(`${e.id}\t${e.site}\t${e.revokedAt ? `revoked ${e.revokedAt}` : `active since ${e.createdAt}`}`);
    }
  });

program
  .command('mosquitto-files')
  .description('write a Mosquitto 2.0 password_file and acl_file from the agent registry, for broker.mode: external')
  .requiredOption('--out <dir>', 'folder for hallmonitor.passwd and hallmonitor.acl (written 0600; created if missing)')
  .option('-c, --config <file...>', 'collector.yaml of every collector that logs in to the broker (the first one\'s agents file is used)', ['collector.yaml'])
  .action(async (opts: { out: string; config: string[] }) => {
    const configs = opts.config.map((file) => loadCollectorConfig(file));
    const collectors = [];
    for (const config of configs) {
      const external = config.broker.external;
      if (config.broker.mode !== 'external' || !external) throw new ConfigError(`${config.file}: broker.mode: expected "external" for mosquitto-files`);
      collectors.push({ username: external.username, passwordHash: await hashPassword(external.password) });
    }
    const files = mosquittoFiles(loadAgents(configs[0]!.agentsFile), collectors, new Date().toISOString());
    const written = writingInto(opts.out, () => writeMosquittoFiles(opts.out, files));
    say(`${written.passwordFile}: ${collectors.length} collector(s), ${files.agents} agents (${files.revokedLeftOut} revoked left out)`);
    say(`${written.aclFile}: each agent confined to its site; install both readable by the mosquitto user, then reload Mosquitto`);
  });

addReportCommand(program, configOption);
registerAlertCommands(program, configOption);
registerWebCommands(program, configOption);

runCommandLine(program);
