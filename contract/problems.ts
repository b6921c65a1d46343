import type { z } from 'zod';

/** `devices[3].snmp.version` from zod's path array. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(top level)' : out;
}

/** One line per problem: `path: what was expected`. The first is the one a human should fix first. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${formatPath(issue.path)}: ${messageOf(issue)}`);
}

/** zod reports a bad record key as "Invalid key in record"; the key's own rule says what was expected. */
function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key' && issue.issues[0] !== undefined) return `invalid key: ${issue.issues[0].message}`;
  return issue.message;
}
