import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, loadConfigFile } from '../../contract/index.ts';
import { agentConfigSchema, type AgentConfig } from './schema.ts';

/** agent.yaml with paths made absolute and the password read from its file. */
export interface ResolvedAgentConfig extends AgentConfig {
  file: string;
  dataDir: string;
  /** `ca` is an absolute path; `caPem` its content, read at start so a missing file stops the agent at once. */
  broker: AgentConfig['broker'] & { username: string; password: string; caPem?: string };
}

export function loadAgentConfig(file: string): ResolvedAgentConfig {
  const config = loadConfigFile(file, agentConfigSchema);
  const base = dirname(resolve(file));
  let password = config.broker.password;
  if (config.broker.passwordFile !== undefined) {
    const path = resolve(base, config.broker.passwordFile);
    try {
      password = readFileSync(path, 'utf8').trim();
    } catch (err) {
      throw new ConfigError(`${file}: broker.passwordFile: cannot read ${path}: ${(err as NodeJS.ErrnoException).code}`);
    }
  }
  let ca: { ca: string; caPem: string } | undefined;
  if (config.broker.ca !== undefined) {
    const path = resolve(base, config.broker.ca);
    try {
      ca = { ca: path, caPem: readFileSync(path, 'utf8') };
    } catch (err) {
      throw new ConfigError(`${file}: broker.ca: cannot read ${path}: ${(err as NodeJS.ErrnoException).code}`);
    }
  }
  if (password === undefined || password === '') {
    throw new ConfigError(`${file}: broker: expected password or passwordFile (the broker refuses anonymous agents)`);
  }
  return {
    ...config,
    file,
    dataDir: resolve(base, config.dataDir),
    broker: { ...config.broker, ...ca, username: config.broker.username ?? config.agent, password },
  };
}
