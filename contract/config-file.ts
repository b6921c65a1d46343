import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { unknownKeyProblem } from './key-suggestions.ts';
import { describeIssues } from './problems.ts';

/** A config problem, already phrased for the person who edits the file: `file: path: expected ...`. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads a YAML file and validates it; throws ConfigError naming the file, the path in it and the expectation. */
export function loadConfigFile<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseConfigText(file, text, schema);
}

export function parseConfigText<S extends z.ZodType>(file: string, text: string, schema: S): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = lineCounter.linePos(first.pos[0]).line;
    throw new ConfigError(`${file}${line ? `:${line}` : ''}: not valid YAML: ${first.message.split('\n')[0]}`);
  }
  let data: unknown;
  try {
    // An alias expands to a copy of its anchor; nested ones grow exponentially ("billion laughs"). The
    // yaml package refuses past maxAliasCount with a ReferenceError, as it does an alias with no anchor.
    data = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err;
    throw new ConfigError(`${file}: not valid config YAML: ${err.message.split('\n')[0]}; write the values out instead of nesting aliases`);
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    // A misspelt key is the cause of the "required" error zod also reports for the key it replaced: say it first.
    const issues = [...result.error.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'));
    const first = issues[0]!;
    throw new ConfigError(`${file}: ${unknownKeyProblem(first, schema) ?? describeIssues({ issues: [first] } as z.ZodError)[0]}`);
  }
  return result.data;
}

/** IANA zone names as Intl knows them; a typo would silently shift every report by hours. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
