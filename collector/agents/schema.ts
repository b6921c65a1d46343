import { z } from 'zod';
import { idSchema } from '../../contract/index.ts';
import { isPasswordHash } from './password.ts';

const timestamp = z.iso.datetime({ message: 'an ISO 8601 UTC time such as "2025-09-01T08:00:00.000Z"' });

/** One agent credential. The id is also the agent's MQTT username. */
export const agentEntrySchema = z.strictObject({
  id: idSchema,
  site: idSchema,
  passwordHash: z
    .string()
    .refine(isPasswordHash, 'a password hash "$7$iterations$salt$hash" (or "scrypt$N$r$p$salt$hash") as written by the agents command'),
  createdAt: timestamp,
  /** Set once; a revoked agent is refused on its next connect. Entries are kept so an id is never reused. */
  revokedAt: timestamp.optional(),
});

/** agents.yaml: the collector's credential store, written by the admin command (mode 0600). */
export const agentsFileSchema = z.strictObject({
  agents: z
    .array(agentEntrySchema)
    .default([])
    .superRefine((agents, ctx) => {
      const seen = new Set<string>();
      agents.forEach((agent, index) => {
        if (seen.has(agent.id)) {
          ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate agent id "${agent.id}"` });
        }
        seen.add(agent.id);
      });
    }),
});

export type AgentEntry = z.infer<typeof agentEntrySchema>;
export type AgentsFile = z.infer<typeof agentsFileSchema>;
