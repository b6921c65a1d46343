/** Version of every message on the wire. A receiver rejects any other version with a reason that names both. */
export const WIRE_VERSION = 1 as const;

/** All topics live under this prefix; a breaking change moves to hallmonitor/v2 and both can run side by side. */
export const TOPIC_PREFIX = `hallmonitor/v${WIRE_VERSION}` as const;
