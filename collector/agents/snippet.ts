import { stringify } from 'yaml';

/** The file name the snippet gives the pinned CA certificate, beside agent.yaml. */
export const CA_FILE_NAME = 'hallmonitor-ca.pem';

/**
 * The lines an installer pastes into the school's agent.yaml (see agent/config/schema.ts). The agent's MQTT
 * username defaults to its id, so it is not repeated. With `caPem` the agent trusts that CA only (the
 * collector's private CA, made by install-collector.sh): its PEM follows as comment lines to be saved as
 * hallmonitor-ca.pem beside agent.yaml. Pure: the caller shows or writes it.
 */
export function agentConfigSnippet(o: { id: string; site: string; password: string; brokerUrl: string; caPem?: string | undefined }): string {
  const broker = { url: o.brokerUrl, password: o.password, ...(o.caPem !== undefined ? { ca: CA_FILE_NAME } : {}) };
  const body = stringify({ agent: o.id, site: o.site, broker });
  const lines = [
    `# hallmonitor agent "${o.id}" for site "${o.site}".`,
    '# Contains the agent\'s password: keep this file readable only by the agent (chmod 600).',
    body,
  ];
  if (o.caPem !== undefined) {
    lines.push(
      `# ${CA_FILE_NAME}: save the lines below, without the leading "# ", beside agent.yaml. The agent trusts`,
      '# this CA only, so no other certificate can stand in for the collector.',
      ...o.caPem.trim().split('\n').map((l) => `# ${l}`),
      '',
    );
  }
  return lines.join('\n');
}

/** The PEM the snippet carries, read back from its comment lines (install-agent.sh does the same with sed). */
export function caFromSnippet(text: string): string | undefined {
  const pem = text.split('\n').filter((l) => /^# (-----BEGIN CERTIFICATE-----|[A-Za-z0-9+/=]+|-----END CERTIFICATE-----)$/.test(l)).map((l) => l.slice(2));
  return pem.length > 0 ? `${pem.join('\n')}\n` : undefined;
}
