import { stringify } from 'yaml';

/**
 * The lines an installer pastes into the school's agent.yaml (see agent/config/schema.ts). The agent's MQTT
 * username defaults to its id, so it is not repeated. Pure: the caller shows or writes it.
 */
export function agentConfigSnippet(o: { id: string; site: string; password: string; brokerUrl: string }): string {
  const body = stringify({ agent: o.id, site: o.site, broker: { url: o.brokerUrl, password: o.password } });
  return [
    `# hallmonitor agent "${o.id}" for site "${o.site}".`,
    '# Contains the agent\'s password: keep this file readable only by the agent (chmod 600).',
    body,
  ].join('\n');
}
