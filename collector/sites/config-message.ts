import { createHash } from 'node:crypto';
import { WIRE_VERSION, type SiteConfigMessage } from '../../contract/index.ts';
import type { SiteFile } from '../config/schema.ts';

/**
 * The retained config an agent polls with. Contacts stay at the collector: the school's network needs
 * device addresses, not phone numbers. The revision is a content hash, so re-publishing the same file
 * after a collector restart does not make agents re-plan their polls.
 */
export function siteConfigMessage(site: SiteFile, publishedAt: number): SiteConfigMessage {
  const content = { site: site.id, name: site.name, timezone: site.timezone, devices: site.devices };
  const revision = createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 16);
  return { v: WIRE_VERSION, ...content, revision, publishedAt };
}
