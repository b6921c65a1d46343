import { z } from 'zod';
import { parseAddress } from './address.ts';

/** Device names are InfluxDB tag values and appear in alerts, so keep them readable and safe. */
export const deviceNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'a device name: letters, digits, ".", "-" or "_", at most 63 characters');

/** What a device is for at the school; dashboards and alert defaults group by it. */
export const deviceRoleSchema = z.enum([
  'internet',
  'firewall',
  'core-switch',
  'switch',
  'access-point',
  'wireless-controller',
  'server',
  'printer',
  'ups',
  'other',
]);

const seconds = (min: number, max: number) => z.number().min(min).max(max);

export const pingCheckSchema = z.strictObject({
  intervalSeconds: seconds(1, 86_400).default(60),
  /** Echo requests per check; loss % is out of these. */
  probes: z.int().min(1).max(100).default(3),
  /** Gap between probes; below 0.2 s the system ping needs root. */
  probeIntervalSeconds: seconds(0.01, 10).default(0.2),
  /** How long to wait for each reply. */
  timeoutSeconds: seconds(0.1, 30).default(1),
});

/** Settings every SNMP version shares: when to poll and how to reach the agent. */
const snmpTransport = {
  intervalSeconds: seconds(1, 86_400).default(60),
  port: z.int().min(1).max(65_535).default(161),
  /** Per request; a device that does not answer in time yields an "unreachable" sample. */
  timeoutSeconds: seconds(0.1, 60).default(2),
  retries: z.int().min(0).max(5).default(1),
};

export const snmpCommunityCheckSchema = z.strictObject({
  ...snmpTransport,
  version: z.enum(['1', '2c']).default('2c'),
  community: z.string().min(1).max(255).default('public'),
});

/** HMAC-SHA-96 (RFC 3414), HMAC-SHA-2 (RFC 7860); md5 (RFC 3414) only when a device offers nothing else. */
export const snmpAuthProtocolSchema = z.enum(['sha', 'sha224', 'sha256', 'sha384', 'sha512', 'md5']);
/**
 * aes128: CFB-AES-128 (RFC 3826). AES-256 has two key extensions, which differ when the auth hash is
 * shorter than 32 bytes (sha, sha224, md5): aes256b (Blumenthal draft; net-snmp's "AES-256") and
 * aes256r (Reeder draft; Cisco's "aes 256", net-snmp's "AES-256-C"). des (RFC 3414) is broken: legacy only.
 */
export const snmpPrivProtocolSchema = z.enum(['aes128', 'aes256b', 'aes256r', 'des']);

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'an environment variable name');
const absolutePath = z
  .string()
  .min(2)
  .max(4_096)
  .regex(/^(\/|[A-Za-z]:[\\/])/, 'an absolute path on the agent host');

/**
 * SNMPv3 with the User-based Security Model (RFC 3414). The keys themselves are never in this config:
 * it travels to the agent as a retained MQTT message and is saved at both ends, so it names where the
 * agent finds each key instead, an environment variable of the agent process or a file on the agent host.
 */
export const snmpV3CheckSchema = z
  .strictObject({
    ...snmpTransport,
    version: z.literal('3'),
    /** usmUserName, SnmpAdminString (SIZE(1..32)) in RFC 3414. */
    user: z.string().min(1).max(32),
    /** authPriv signs and encrypts; authNoPriv only signs (the values cross the network in clear). */
    level: z.enum(['authNoPriv', 'authPriv']),
    authProtocol: snmpAuthProtocolSchema,
    authKeyEnv: envName.optional(),
    authKeyFile: absolutePath.optional(),
    privProtocol: snmpPrivProtocolSchema.optional(),
    privKeyEnv: envName.optional(),
    privKeyFile: absolutePath.optional(),
    /** contextName (RFC 3411), e.g. a VLAN's bridge MIB on some switches; empty for the default context. */
    context: z.string().max(32).default(''),
  })
  .superRefine((c, ctx) => {
    const oneOf = (env: 'authKeyEnv' | 'privKeyEnv', file: 'authKeyFile' | 'privKeyFile') => {
      if (c[env] !== undefined && c[file] !== undefined) {
        ctx.addIssue({ code: 'custom', path: [file], message: `give either ${env} or ${file}, not both` });
      } else if (c[env] === undefined && c[file] === undefined) {
        ctx.addIssue({ code: 'custom', path: [env], message: `expected ${env} (a variable of the agent's environment) or ${file} (a file on the agent host) for level ${c.level}` });
      }
    };
    oneOf('authKeyEnv', 'authKeyFile');
    if (c.level === 'authPriv') {
      if (c.privProtocol === undefined) ctx.addIssue({ code: 'custom', path: ['privProtocol'], message: `expected one of ${snmpPrivProtocolSchema.options.join(', ')} for level authPriv` });
      oneOf('privKeyEnv', 'privKeyFile');
    } else {
      for (const key of ['privProtocol', 'privKeyEnv', 'privKeyFile'] as const) {
        if (c[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `only with level authPriv; level is ${c.level}` });
      }
    }
  });

/** v1/v2c (community) or v3 (user), told apart by `version`; without one it is v2c. */
export const snmpCheckSchema = z.discriminatedUnion('version', [snmpCommunityCheckSchema, snmpV3CheckSchema], {
  // zod's own text lists "undefined" among the versions (the v2c default); say what a person may write.
  error: (issue) =>
    issue.code === 'invalid_union' && issue.note === 'No matching discriminator'
      ? `Invalid option: expected one of "1"|"2c"|"3", got ${JSON.stringify((issue.input as { version?: unknown } | undefined)?.version)}`
      : undefined,
});

export const deviceChecksSchema = z.strictObject({
  ping: pingCheckSchema.optional(),
  snmp: snmpCheckSchema.optional(),
});

export const deviceSchema = z.strictObject({
  name: deviceNameSchema,
  /** IPv4, IPv6 (a zone id only after a link-local one) or an RFC 1123 host name the agent can resolve. */
  // The pattern is the coarse shape editors see in the JSON Schema (and keeps a leading "-" off ping's
  // command line); parseAddress judges literals strictly and refuses what no device can have.
  address: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[A-Za-z0-9:.%_][A-Za-z0-9:.%_-]*$/, 'an IP address or host name')
    .superRefine((text, ctx) => {
      const parsed = parseAddress(text);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `expected an IP address or host name; ${JSON.stringify(text)} ${parsed.reason}` });
    }),
  role: deviceRoleSchema.default('other'),
  /** The device this one is reached through (e.g. the switch an AP hangs off); must be in the same list. */
  parent: deviceNameSchema.optional(),
  checks: deviceChecksSchema.default({ ping: pingCheckSchema.parse({}) }),
});

/** A site's device list: names unique, parents known, no device its own ancestor. */
export const deviceListSchema = z.array(deviceSchema).superRefine((devices, ctx) => {
  const byName = new Map<string, number>();
  devices.forEach((device, index) => {
    if (byName.has(device.name)) {
      ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate device name "${device.name}"` });
    }
    byName.set(device.name, index);
  });
  devices.forEach((device, index) => {
    if (device.parent === undefined) return;
    if (!byName.has(device.parent)) {
      ctx.addIssue({ code: 'custom', path: [index, 'parent'], message: `expected the name of a device in this list, got "${device.parent}"` });
      return;
    }
    const seen = new Set<string>([device.name]);
    let parent: string | undefined = device.parent;
    while (parent !== undefined) {
      if (seen.has(parent)) {
        ctx.addIssue({ code: 'custom', path: [index, 'parent'], message: `parent chain loops back through "${parent}"` });
        return;
      }
      seen.add(parent);
      parent = devices[byName.get(parent)!]?.parent;
    }
  });
});

export type Device = z.infer<typeof deviceSchema>;
export type DeviceRole = z.infer<typeof deviceRoleSchema>;
export type PingCheckConfig = z.infer<typeof pingCheckSchema>;
export type SnmpCheckConfig = z.infer<typeof snmpCheckSchema>;
export type SnmpCommunityCheckConfig = z.infer<typeof snmpCommunityCheckSchema>;
export type SnmpV3CheckConfig = z.infer<typeof snmpV3CheckSchema>;
