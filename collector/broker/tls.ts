import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../../contract/index.ts';

/** collector.yaml `broker.tls`: PEM file paths, relative ones against the config file's folder. */
export interface BrokerTlsConfig {
  port: number;
  cert: string;
  key: string;
  /** Only for a certificate chain that needs it; agents are authenticated by password, not by certificate. */
  ca?: string | undefined;
}

/** What the TLS listener needs: its port and the PEM contents. */
export interface BrokerTls {
  port: number;
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
}

/** Reads the files at start, so a missing or unreadable one stops the collector with its name. */
export function readBrokerTls(tls: BrokerTlsConfig, configFile: string): BrokerTls {
  const base = dirname(resolve(configFile));
  const read = (field: 'cert' | 'key' | 'ca', path: string): Buffer => {
    const full = resolve(base, path);
    try {
      return readFileSync(full);
    } catch (err) {
      throw new ConfigError(`${configFile}: broker.tls.${field}: cannot read ${full}: ${(err as NodeJS.ErrnoException).code}`);
    }
  };
  return {
    port: tls.port,
    cert: read('cert', tls.cert),
    key: read('key', tls.key),
    ...(tls.ca !== undefined ? { ca: read('ca', tls.ca) } : {}),
  };
}
