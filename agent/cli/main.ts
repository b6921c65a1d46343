import { Command } from 'commander';
import { SOFTWARE_VERSION, createLogger, runCommandLine, say, untilSignal } from '../../contract/index.ts';
import { createCheckSet } from '../check-set.ts';
import { loadAgentConfig } from '../config/load.ts';
import { discoverCommand } from '../discover/command.ts';
import { startAgent } from '../run.ts';

const program = new Command('hallmonitor-agent')
  .description('Polls a school\'s devices (ping, SNMP) and reports to the provider\'s hallmonitor collector over MQTT.')
  .version(SOFTWARE_VERSION);

program
  .command('run', { isDefault: true })
  .description('poll devices and publish samples until stopped (SIGTERM/SIGINT)')
  .option('-c, --config <file>', 'agent config file', 'agent.yaml')
  .action(async (opts: { config: string }) => {
    const config = loadAgentConfig(opts.config);
    const log = createLogger('agent', config.logLevel).child({ agent: config.agent, site: config.site });
    const agent = startAgent(config, { log, checks: createCheckSet() });
    const signal = await untilSignal();
    log.info({ signal }, 'stopping');
    await agent.stop();
  });

program
  .command('check-config')
  .description('validate the config file and print what the agent would do')
  .option('-c, --config <file>', 'agent config file', 'agent.yaml')
  .action((opts: { config: string }) => {
    const config = loadAgentConfig(opts.config);
    const devices = config.devices === undefined ? 'from the collector' : `${config.devices.length} listed locally`;
    say(`${opts.config}: ok; agent ${config.agent} of site ${config.site}, broker ${config.broker.url}, devices ${devices}`);
  });

program.addCommand(discoverCommand());

runCommandLine(program);
