import { z } from 'zod';

/** collector.yaml `notify:` — the provider's channels (email, Teams, Slack, webhook). */
export const notifyConfigSchema = z.strictObject({});
