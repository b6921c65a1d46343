import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from '../spool/private-files.ts';
import { decodeMessage, siteConfigMessageSchema, type Logger, type SiteConfigMessage } from '../../contract/index.ts';

/**
 * The last site config the collector pushed, kept on disk: after a restart during a broadband outage the
 * agent goes on polling the same devices instead of waiting for a collector it cannot reach.
 */
export class SiteConfigStore {
  private readonly file: string;

  constructor(dataDir: string, private readonly log: Logger) {
    ensurePrivateDir(dataDir);
    this.file = join(dataDir, 'site-config.json');
  }

  load(): SiteConfigMessage | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const decoded = decodeMessage(siteConfigMessageSchema, text);
    if (!decoded.ok) {
      // A copy we cannot read is not fatal: the collector will push a fresh one when we connect.
      this.log.error({ file: this.file, reason: decoded.reason }, 'ignoring unreadable saved site config');
      return undefined;
    }
    return decoded.value;
  }

  save(config: SiteConfigMessage): void {
    const tmp = `${this.file}.tmp`;
    // It holds SNMP communities and v3 keys: 0600 whatever the umask (a leftover tmp keeps its mode, hence chmod).
    writeFileSync(tmp, JSON.stringify(config), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }
}
