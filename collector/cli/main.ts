import { Command } from 'commander';
import { ConfigError, SOFTWARE_VERSION, createLogger, exitOnError, say, untilSignal } from '../../contract/index.ts';
import { agentConfigSnippet } from '../agents/snippet.ts';
import { addAgent, loadAgents, revokeAgent } from '../agents/store.ts';
import { registerAlertCommands } from '../alerts/cli.ts';
import { loadCollectorConfig, loadSites } from '../config/load.ts';
import { startCollector } from '../run.ts';

const program = new Command('hallmonitor-collector')
  .description('Receives samples from school agents over MQTT, stores them in InfluxDB and pushes each site\'s device list.')
  .version(SOFTWARE_VERSION);
const configOption = ['-c, --config <file>', 'collector config file', 'collector.yaml'] as const;

program
  .command('run', { isDefault: true })
  .description('run the embedded broker and the ingest until stopped (SIGTERM/SIGINT)')
  .option(...configOption)
  .action(async (opts: { config: string }) => {
    const config = loadCollectorConfig(opts.config);
    const log = createLogger('collector', config.logLevel);
    const collector = await startCollector(config, log);
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
  .option('--broker-url <url>', 'how the agent reaches this collector', 'mqtt://collector.example.net:1883')
  .option(...configOption)
  .action(async (opts: { site: string; id?: string; brokerUrl: string; config: string }) => {
    const config = loadCollectorConfig(opts.config);
    if (!loadSites(config.sitesDir).some((s) => s.id === opts.site)) {
      throw new ConfigError(`${config.sitesDir}: no site "${opts.site}" (add ${opts.site}.yaml there first)`);
    }
    const id = opts.id ?? `${opts.site}-1`;
    const { password } = await addAgent(config.agentsFile, { id, site: opts.site });
    say(agentConfigSnippet({ id, site: opts.site, password, brokerUrl: opts.brokerUrl }));
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

registerAlertCommands(program, configOption);

program.parseAsync().catch(exitOnError);
