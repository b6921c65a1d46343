import { z } from 'zod';
import { idSchema } from '../../contract/index.ts';

const envName = () => z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name');
const httpsUrl = () => z.url({ protocol: /^https?$/ });

/**
 * A value that is a secret (a webhook URL holds its token in the path or query) may sit in the file or,
 * so that collector.yaml can be shared, in the environment variable named by `<key>Env`: one of the two.
 */
function oneOf<T extends Record<string, unknown>>(key: string, required: boolean) {
  return (value: T, ctx: z.core.$RefinementCtx<T>) => {
    const inFile = value[key] !== undefined;
    const inEnv = value[`${key}Env`] !== undefined;
    if (inFile && inEnv) ctx.addIssue({ code: 'custom', path: [`${key}Env`], message: `either ${key} or ${key}Env, not both` });
    if (required && !inFile && !inEnv) ctx.addIssue({ code: 'custom', path: [key], message: `expected ${key} or ${key}Env` });
  };
}

const base = {
  id: idSchema,
  /** Seconds a webhook may take to answer before the attempt counts as failed (and is retried). */
  timeoutSeconds: z.int().min(1).max(120).default(10),
};

/** Email through collector.yaml's `smtp:` server; each recipient's address comes from the site's contacts. */
const emailChannelSchema = z.strictObject({ ...base, type: z.literal('email') });

/** Microsoft Teams: a Power Automate "When a Teams webhook request is received" workflow URL. */
const teamsChannelSchema = z
  .strictObject({ ...base, type: z.literal('teams'), url: httpsUrl().optional(), urlEnv: envName().optional() })
  .superRefine(oneOf('url', true));

/** Slack: an incoming webhook URL (https://hooks.slack.com/services/...). */
const slackChannelSchema = z
  .strictObject({ ...base, type: z.literal('slack'), url: httpsUrl().optional(), urlEnv: envName().optional() })
  .superRefine(oneOf('url', true));

/** Any HTTP receiver: the notification as JSON, signed with HMAC-SHA256 of the body. */
const webhookChannelSchema = z
  .strictObject({
    ...base,
    type: z.literal('webhook'),
    url: httpsUrl().optional(),
    urlEnv: envName().optional(),
    secret: z.string().min(16, 'at least 16 characters').optional(),
    secretEnv: envName().optional(),
    /** Extra request headers, e.g. a receiver's own API key. */
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'an HTTP header name'), z.string()).default({}),
  })
  .superRefine(oneOf('url', true))
  .superRefine(oneOf('secret', true));

export const channelConfigSchema = z.discriminatedUnion('type', [emailChannelSchema, teamsChannelSchema, slackChannelSchema, webhookChannelSchema]);

/**
 * The acknowledgement endpoint: a small HTTP server on the collector that the signed link in each
 * notification opens, and that scripts call with a bearer token. Absent: no links, no endpoint.
 */
export const ackConfigSchema = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.int().min(0).max(65_535).default(8080),
    /** How staff reach the endpoint (usually through the provider's reverse proxy); the links start with it. */
    publicUrl: httpsUrl(),
    /** Key that signs the links; changing it invalidates every link already sent. */
    secret: z.string().min(32, 'at least 32 characters').optional(),
    secretEnv: envName().optional(),
    /** How long a link in a notification stays valid. */
    linkLifetimeHours: z.number().min(0.25).max(24 * 30).default(72),
    /** Bearer token for `POST /api/alerts/<id>/ack` (scripts, the CLI on another host); absent: no API. */
    apiToken: z.string().min(32, 'at least 32 characters').optional(),
    apiTokenEnv: envName().optional(),
  })
  .superRefine(oneOf('secret', true))
  .superRefine(oneOf('apiToken', false));

/** collector.yaml `notify:` — the provider's channels (email, Teams, Slack, webhook) and the ack endpoint. */
export const notifyConfigSchema = z
  .strictObject({
    channels: z.array(channelConfigSchema).default([]),
    ack: ackConfigSchema.optional(),
    /** Retries of a failed delivery: exponential backoff with jitter from initialSeconds up to maxSeconds... */
    retry: z
      .strictObject({
        initialSeconds: z.number().min(0.01).max(3_600).default(30),
        maxSeconds: z.number().min(1).max(86_400).default(1_800),
        /** ...until the message is this old; then it is recorded as failed (a resolved message days late helps no one). */
        giveUpHours: z.number().min(0.01).max(24 * 14).default(24),
      })
      .default({ initialSeconds: 30, maxSeconds: 1_800, giveUpHours: 24 }),
  })
  .superRefine((n, ctx) => {
    const seen = new Set<string>();
    n.channels.forEach((c, i) => {
      if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: ['channels', i, 'id'], message: `channel id "${c.id}" is used twice` });
      seen.add(c.id);
    });
  });

export type NotifyConfig = z.infer<typeof notifyConfigSchema>;
export type ChannelConfig = z.infer<typeof channelConfigSchema>;
export type AckConfig = z.infer<typeof ackConfigSchema>;
export type RetryConfig = NotifyConfig['retry'];
