import type { ResolvedCollectorConfig } from '../config/load.ts';
import { WebStore, statusUrl, webFiles } from './store.ts';

/**
 * The school's status page link, for the monthly report mail (and anything else that tells the school):
 * undefined when collector.yaml has no `web:` section or the school's link was revoked. Makes the link on
 * first use, so a school gets one without anyone running the CLI.
 */
export function schoolStatusLink(config: ResolvedCollectorConfig, site: string, now: number = Date.now()): string | undefined {
  if (config.web === undefined) return undefined;
  const store = new WebStore(webFiles(config));
  try {
    const token = store.ensureLink(site, now);
    return token === undefined ? undefined : statusUrl(config.web.publicUrl, token);
  } finally {
    store.close();
  }
}
