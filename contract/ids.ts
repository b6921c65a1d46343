import { z } from 'zod';

/**
 * Site and agent ids appear in MQTT topics, InfluxDB tags and file names, so they are restricted to
 * characters that are safe in all three: no '/', '+', '#' (MQTT wildcards and level separators).
 */
export const idSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'a lower-case id: letters, digits, "-" or "_", at most 63 characters');

export type Id = z.infer<typeof idSchema>;
