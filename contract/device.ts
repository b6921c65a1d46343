import { z } from 'zod';

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

export const snmpCheckSchema = z.strictObject({
  intervalSeconds: seconds(1, 86_400).default(60),
  version: z.enum(['1', '2c']).default('2c'),
  community: z.string().min(1).max(255).default('public'),
  port: z.int().min(1).max(65_535).default(161),
  /** Per request; a device that does not answer in time yields an "unreachable" sample. */
  timeoutSeconds: seconds(0.1, 60).default(2),
  retries: z.int().min(0).max(5).default(1),
});

export const deviceChecksSchema = z.strictObject({
  ping: pingCheckSchema.optional(),
  snmp: snmpCheckSchema.optional(),
});

export const deviceSchema = z.strictObject({
  name: deviceNameSchema,
  /** IPv4, IPv6 or a host name the agent can resolve. */
  // No leading "-": the address ends up on the system ping's command line.
  address: z.string().min(1).max(253).regex(/^[A-Za-z0-9:.%_][A-Za-z0-9:.%_-]*$/, 'an IP address or host name'),
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
