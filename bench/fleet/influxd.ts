import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startInflux, type InfluxServer } from '../../test/harness/index.ts';

export const RECOMMENDED_CONFIG = fileURLToPath(new URL('../../deploy/influxdb/influxdb.conf', import.meta.url));

/**
 * deploy/influxdb/influxdb.conf as shipped, with its Debian paths moved into `dir` and its two listeners onto
 * free loopback ports: the bench measures the settings the docs recommend, not a copy of them.
 */
export function renderRecommended(text: string, dir: string, rpcPort: number, httpPort: number): string {
  return text
    .replace(/^bind-address = ".*"$/m, `bind-address = "127.0.0.1:${rpcPort}"`)
    .replace(/^(\s*)bind-address = "127\.0\.0\.1:8086"$/m, `$1bind-address = "127.0.0.1:${httpPort}"`)
    .replace(/"\/var\/lib\/influxdb\/(meta|data|wal)"/g, (_m, sub: string) => JSON.stringify(join(dir, sub)));
}

/** `from`: a folder holding influxd's meta, data and wal (month-snapshot.ts), copied in before it starts. */
export function startRecommendedInflux(from?: (dir: string) => void): Promise<InfluxServer> {
  const text = readFileSync(RECOMMENDED_CONFIG, 'utf8');
  return startInflux({
    renderConfig: (dir, rpc, http) => {
      from?.(dir);
      return renderRecommended(text, dir, rpc, http);
    },
    // A snapshot of a month opens its shards and index first.
    readyTimeoutMs: from === undefined ? 120_000 : 600_000,
  });
}
