import { ConfigError } from '../../contract/index.ts';

/**
 * A secret from the file or from the environment variable that `<key>Env` names (the schema allows only
 * one of the two). `where` names the setting in errors, e.g. "notify.channels[2] (ops-slack).url".
 */
export function resolveSecret(inFile: string | undefined, envName: string | undefined, env: NodeJS.ProcessEnv, where: string): string | undefined {
  if (envName === undefined) return inFile;
  const value = env[envName];
  if (value === undefined || value === '') throw new ConfigError(`${where}Env: environment variable ${envName} is not set`);
  return value;
}

/**
 * Replaces every secret (and its URL-encoded and base64 forms, which is how SMTP AUTH and query strings
 * carry them) in a text that may reach a log or a record. A channel builds its reasons without secrets;
 * this is the second belt, for messages that come from libraries.
 */
export function scrubber(secrets: readonly (string | undefined)[]): (text: string) => string {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (s === undefined || s.length < 4) continue;
    forms.add(s);
    forms.add(encodeURIComponent(s));
    forms.add(Buffer.from(s).toString('base64'));
    forms.add(Buffer.from(s).toString('base64url'));
  }
  const list = [...forms].sort((a, b) => b.length - a.length);
  return (text) => list.reduce((t, s) => t.split(s).join('[redacted]'), text);
}

/**
 * The parts of a webhook URL that may be its token: the whole URL, its path and query, and every long path
 * segment or query value (a Slack hook's last segment, a Teams workflow's `sig`).
 */
export function urlSecrets(url: string): string[] {
  const u = new URL(url);
  const long = (s: string) => s.length >= 12;
  return [url, `${u.pathname}${u.search}`, ...u.pathname.split('/').filter(long), ...[...u.searchParams.values()].filter(long)];
}
