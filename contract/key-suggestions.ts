import type { z } from 'zod';
import { formatPath } from './problems.ts';

/**
 * "Did you mean ...?" for a config key the schema does not know. The schema is walked along the issue's
 * path to the object that refused the key, and its known keys are compared with the one written.
 */

type Def = { type: string; [k: string]: unknown };
const defOf = (schema: unknown): Def | undefined => (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def;

/** The schemas an input at `path` below `schema` may be checked against (several below a union). */
function schemasAt(schema: unknown, path: readonly PropertyKey[], depth = 0): unknown[] {
  const def = defOf(schema);
  if (def === undefined || depth > 64) return [];
  switch (def.type) {
    case 'optional': case 'nullable': case 'default': case 'prefault': case 'nonoptional': case 'readonly': case 'catch':
      return schemasAt(def.innerType, path, depth + 1);
    case 'pipe':
      return schemasAt(def.in, path, depth + 1);
    case 'lazy':
      return schemasAt((def.getter as () => unknown)(), path, depth + 1);
    case 'union':
      return (def.options as unknown[]).flatMap((o) => schemasAt(o, path, depth + 1));
    case 'intersection':
      return [...schemasAt(def.left, path, depth + 1), ...schemasAt(def.right, path, depth + 1)];
  }
  if (path.length === 0) return [schema];
  const [head, ...rest] = path;
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, unknown>;
      return typeof head === 'string' && head in shape ? schemasAt(shape[head], rest, depth + 1) : [];
    }
    case 'array':
      return typeof head === 'number' ? schemasAt(def.element, rest, depth + 1) : [];
    case 'record':
      return schemasAt(def.valueType, rest, depth + 1);
    default:
      return [];
  }
}

/** The keys an object at `path` below `schema` accepts. */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  for (const s of schemasAt(schema, path)) {
    const def = defOf(s);
    if (def?.type === 'object') for (const k of Object.keys(def.shape as object)) keys.add(k);
  }
  return [...keys];
}

/** Optimal string alignment distance (Levenshtein plus swapped neighbours, the commonest typo). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known key closest to `written`, if it is close enough to be a typo: the same letters in another case,
 * or at most a third of its letters (at least one, at most three) away. Ties go to the earlier key.
 */
export function nearestKey(written: string, known: readonly string[]): string | undefined {
  if (written.length > 200) return undefined;
  const lower = written.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  const limit = Math.min(3, Math.max(1, Math.floor(written.length / 3)));
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = editDistance(lower, key.toLowerCase());
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { key, distance };
  }
  return best?.key;
}

/**
 * The line for an unknown key, named by its own path: `devices[1].adress: unknown key; did you mean
 * "address"?`, or the keys allowed there when none is close. Undefined for any other kind of issue.
 */
export function unknownKeyProblem(issue: z.core.$ZodIssue, schema: z.ZodType): string | undefined {
  if (issue.code !== 'unrecognized_keys' || issue.keys.length === 0) return undefined;
  const key = issue.keys[0]!;
  const known = knownKeysAt(schema, issue.path).filter((k) => !issue.keys.includes(k));
  const near = nearestKey(key, known);
  const others = issue.keys.length > 1 ? ` (and ${issue.keys.length - 1} more unknown key${issue.keys.length > 2 ? 's' : ''} there)` : '';
  const hint = near !== undefined ? `; did you mean "${near}"?` : known.length > 0 ? `; expected one of ${known.slice(0, 15).join(', ')}${known.length > 15 ? ', ...' : ''}` : '';
  // The key is the file's own text: quoted when it is not a plain name, so a newline in it cannot break the line.
  const shown = /^[A-Za-z0-9_-]{1,64}$/.test(key) ? [...issue.path, key] : [...issue.path, JSON.stringify(key).slice(0, 80)];
  return `${formatPath(shown)}: unknown key${hint}${others}`;
}
