/**
 * Checks a value against a JSON Schema using only the keywords zod's toJSONSchema writes for our config
 * schemas; any other keyword throws, so a schema this cannot fully check never passes by accident.
 * (A full validator such as ajv would be a new dependency for one test.)
 */
type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(['$schema', 'title', 'description', 'default', 'format']);
const CHECKED = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'propertyNames', 'items', 'enum', 'const', 'oneOf',
  'minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems',
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/**
 * Why a value fits no branch of a discriminated union: a wrong discriminator is named as such, otherwise the
 * problems of the branch it chose.
 */
function unionProblems(branches: Schema[], results: string[][], value: unknown, path: string): string[] {
  const consts = (branch: Schema) =>
    Object.entries((branch.properties ?? {}) as Record<string, Schema>).filter(([, p]) => 'const' in p).map(([k, p]) => [k, p.const] as const);
  const [key] = consts(branches[0]!).find(([k]) => branches.every((b) => consts(b).some(([other]) => other === k))) ?? [];
  if (key !== undefined && typeof value === 'object' && value !== null) {
    const tag = (value as Record<string, unknown>)[key];
    const chosen = branches.findIndex((b) => ((b.properties as Record<string, Schema>)[key]!.const === tag));
    if (chosen >= 0) return results[chosen]!;
    const allowed = branches.map((b) => JSON.stringify((b.properties as Record<string, Schema>)[key]!.const)).join(' | ');
    return [`${path === '(top level)' ? key : `${path}.${key}`}: expected ${allowed}`];
  }
  return results.reduce((a, b) => (b.length < a.length ? b : a));
}

/** Problems as `path: what`; empty when the value conforms. */
export function checkAgainstSchema(schema: Schema, value: unknown, path = '(top level)'): string[] {
  const unknown = Object.keys(schema).filter((k) => !ANNOTATIONS.has(k) && !CHECKED.has(k));
  if (unknown.length > 0) throw new Error(`${path}: schema keyword(s) this checker does not handle: ${unknown.join(', ')}`);
  const at = (key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path === '(top level)' ? key : `${path}.${key}`);
  // `type` is one type or a list of them (JSON Schema 2020-12 §6.1.1); an integer is a number too.
  const types = schema.type === undefined ? undefined : ([] as string[]).concat(schema.type as string | string[]);
  const actual = typeOf(value);
  if (types !== undefined && !types.some((t) => t === actual || (t === 'number' && actual === 'integer'))) return [`${path}: expected ${types.join(' or ')}, got ${actual}`];

  const problems: string[] = [];
  if (schema.oneOf !== undefined) {
    // A discriminated union (notify.channels): exactly one branch must fit; report the nearest one's problems.
    const results = (schema.oneOf as Schema[]).map((branch) => checkAgainstSchema(branch, value, path));
    const fits = results.filter((r) => r.length === 0).length;
    if (fits === 0) problems.push(...unionProblems(schema.oneOf as Schema[], results, value, path));
    if (fits > 1) problems.push(`${path}: matches ${fits} alternatives of oneOf, expected exactly one`);
  }
  if ('const' in schema && value !== schema.const) problems.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (schema.enum !== undefined && !(schema.enum as unknown[]).includes(value)) problems.push(`${path}: expected one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) problems.push(`${path}: below minimum ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) problems.push(`${path}: above maximum ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) problems.push(`${path}: shorter than ${schema.minLength}`);
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) problems.push(`${path}: longer than ${schema.maxLength}`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) problems.push(`${path}: does not match ${schema.pattern}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) problems.push(`${path}: fewer than ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) problems.push(`${path}: more than ${schema.maxItems} items`);
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    value.forEach((item, i) => problems.push(...checkAgainstSchema(schema.items as Schema, item, at(i))));
  }
  if (actual === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in object)) problems.push(`${at(key)}: required`);
    for (const [key, item] of Object.entries(object)) {
      if (properties[key] !== undefined) problems.push(...checkAgainstSchema(properties[key], item, at(key)));
      else if (schema.additionalProperties === false) problems.push(`${at(key)}: not allowed`);
      else if (typeof schema.additionalProperties === 'object') problems.push(...checkAgainstSchema(schema.additionalProperties as Schema, item, at(key)));
      if (schema.propertyNames !== undefined) problems.push(...checkAgainstSchema(schema.propertyNames as Schema, key, `${at(key)} (name)`));
    }
  }
  return problems;
}
