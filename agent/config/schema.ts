import { z } from 'zod';
import { deviceListSchema, idSchema } from '../../contract/index.ts';

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
    }),
    /** Where the last site config (and later the spool) is kept. Relative to this file. */
    dataDir: z.string().default('data'),
    batch: z
      .strictObject({
        maxSamples: z.int().min(1).max(5_000).default(1_000),
        maxDelayMs: z.int().min(10).max(60_000).default(1_000),
      })
      .default({ maxSamples: 1_000, maxDelayMs: 1_000 }),
    devices: deviceListSchema.optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  })
  .refine((c) => !(c.broker.password !== undefined && c.broker.passwordFile !== undefined), {
    path: ['broker', 'passwordFile'],
    message: 'give either password or passwordFile, not both',
  });

export type AgentConfig = z.infer<typeof agentConfigSchema>;
