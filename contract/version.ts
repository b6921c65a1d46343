import { readFileSync } from 'node:fs';

/** Version of every message on the wire. A receiver rejects any other version with a reason that names both. */
export const WIRE_VERSION = 1 as const;

/** All topics live under this prefix; a breaking change moves to hallmonitor/v2 and both can run side by side. */
export const TOPIC_PREFIX = `hallmonitor/v${WIRE_VERSION}` as const;

/** The package version, reported in agent status and collector logs. */
export const SOFTWARE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
