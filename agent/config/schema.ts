import { isIP } from 'node:net';
import { z } from 'zod';
import { deviceListSchema, idSchema } from '../../contract/index.ts';

const SPOOL_DEFAULTS = { maxBytes: 256 * 1024 * 1024, maxAgeHours: 14 * 24, maxInFlight: 20 };
const TRAP_DEFAULTS = { enabled: true, address: '0.0.0.0', port: 162, communities: [], ratePerSecond: 10, burst: 50 };

/**
 * agent.yaml: who this agent is and where it reports. The device list normally comes from the collector
 * (retained config message); a local `devices` list overrides it for sites run without central config.
 */
export const agentConfigSchema = z
  .strictObject({
    agent: idSchema,
    site: idSchema,
    broker: z.strictObject({
      url: z.string().regex(/^(mqtts?|tcp|tls|wss?):\/\//, 'a broker URL such as "mqtt://collector.example.net:1883"'),
      /** Defaults to the agent id. */
      username: z.string().optional(),
      password: z.string().optional(),
      /** Read at start; keeps the secret out of the config file. */
      passwordFile: z.string().optional(),
      /**
       * A PEM CA certificate (relative to this file) that signed the collector's certificate, for mqtts://
       * URLs. Without it the system's trusted CAs are used. Given, it is the only CA trusted.
       */
      ca: z.string().min(1).optional(),
      /** false skips the check of the collector's certificate: for a lab only, it lets anyone impersonate it. */
      rejectUnauthorized: z.boolean().default(true),
    }),
    /** Where the spool (spool.db) and the last site config are kept. Relative to this file. */
    dataDir: z.string().default('data'),
    batch: z
      .strictObject({
        maxSamples: z.int().min(1).max(5_000).default(1_000),
        maxDelayMs: z.int().min(10).max(60_000).default(1_000),
      })
      .default({ maxSamples: 1_000, maxDelayMs: 1_000 }),
    /**
     * The disk outbox that holds every batch until the broker acknowledged it. When a bound is hit the
     * oldest batches are dropped, counted and reported (agent status, agent_health).
     */
    spool: z
      .strictObject({
        /** Stored message bytes at most; the file is 1-15 % bigger, plus a WAL of up to ~4 MiB. Default 256 MiB. */
        maxBytes: z.int().min(16_384).max(Number.MAX_SAFE_INTEGER).default(SPOOL_DEFAULTS.maxBytes),
        /** Batches older than this are dropped. Default 14 days. */
        maxAgeHours: z.number().positive().max(24 * 366).default(SPOOL_DEFAULTS.maxAgeHours),
        /** Batches published and not yet acknowledged, at most: paces the replay after an outage. */
        maxInFlight: z.int().min(1).max(1_000).default(SPOOL_DEFAULTS.maxInFlight),
      })
      .default(SPOOL_DEFAULTS),
    /** The agent's own machine (CPU, memory, disks, network, temperature) as agent_host* samples. */
    host: z
      .strictObject({
        enabled: z.boolean().default(true),
        intervalSeconds: z.number().min(5).max(86_400).default(60),
      })
      .default({ enabled: true, intervalSeconds: 60 }),
    /**
     * SNMP traps and informs from the site's devices (agent/traps/). Only addresses in the device list are
     * heard; v1/v2c traps must carry the device's polling community or one listed here, v3 traps the
     * device's own user. Port 162 needs CAP_NET_BIND_SERVICE (the agent's unit grants it).
     */
    traps: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** An address of the agent host on the school network; 0.0.0.0 listens on all of them. */
        address: z.string().refine((a) => isIP(a) !== 0, 'an IPv4 or IPv6 address of the agent host').default('0.0.0.0'),
        port: z.int().min(0).max(65_535).default(162),
        communities: z.array(z.string().min(1).max(255)).max(32).default([]),
        /** Per device: traps per second on average, and the burst allowed above it. */
        ratePerSecond: z.number().positive().max(1_000).default(10),
        burst: z.int().min(1).max(10_000).default(50),
      })
      .default(TRAP_DEFAULTS),
    devices: deviceListSchema.optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  })
  .refine((c) => !(c.broker.password !== undefined && c.broker.passwordFile !== undefined), {
    path: ['broker', 'passwordFile'],
    message: 'give either password or passwordFile, not both',
  });

export type AgentConfig = z.infer<typeof agentConfigSchema>;
