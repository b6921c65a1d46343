import nodemailer, { type Transporter } from 'nodemailer';
import { ConfigError } from '../../contract/index.ts';
import type { SmtpConfig } from '../config/schema.ts';

/**
 * One nodemailer transport for collector.yaml's `smtp:`, shared by alert emails and monthly reports.
 * The password comes from the file or from the environment variable it names. `timeoutMs`: how long to
 * wait for a connection and the server's greeting (an alert channel's `timeoutSeconds`).
 */
export function smtpTransport(config: SmtpConfig, env: NodeJS.ProcessEnv = process.env, timeoutMs = 10_000): Transporter {
  let password = config.password;
  if (config.passwordEnv !== undefined) {
    password = env[config.passwordEnv];
    if (password === undefined || password === '') throw new ConfigError(`smtp.passwordEnv: environment variable ${config.passwordEnv} is not set`);
  }
  return nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    auth: config.username !== undefined ? { user: config.username, pass: password ?? '' } : undefined,
    // With a username, the password never crosses the network in clear: STARTTLS is required (RFC 3207),
    // not merely used when offered, so a stripped STARTTLS (a downgrade) fails instead of sending it.
    requireTLS: config.username !== undefined && !config.secure,
    tls: config.allowSelfSigned ? { rejectUnauthorized: false } : undefined,
    // Fail fast so the caller's retry owns the waiting, not a socket stuck for minutes.
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: Math.max(timeoutMs, 30_000),
  });
}
