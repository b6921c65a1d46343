/**
 * The shape a dashboard query promises, read from its text: the named columns of its outer SELECT
 * (the builders name every column with AS) and the tags of its outer GROUP BY.
 */

export interface Shape {
  columns: string[];
  tags: string[];
}

/** Indexes of `needle` in `text` outside parentheses and quotes. */
function topLevelIndexes(text: string, needle: string): number[] {
  const found: number[] = [];
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== undefined) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && text.startsWith(needle, i)) found.push(i);
  }
  return found;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (const i of topLevelIndexes(text, ',')) {
    parts.push(text.slice(start, i).trim());
    start = i + 1;
  }
  parts.push(text.slice(start).trim());
  return parts;
}

const unquote = (ident: string): string => ident.replace(/^"(.*)"$/, '$1');

export function expectedShape(query: string): Shape {
  if (/^SHOW TAG VALUES\b/.test(query)) return { columns: ['key', 'value'], tags: [] };
  if (!query.startsWith('SELECT ')) throw new Error(`not a SELECT: ${query}`);
  const from = topLevelIndexes(query, ' FROM ')[0];
  if (from === undefined) throw new Error(`no FROM: ${query}`);
  const columns = splitTopLevel(query.slice('SELECT '.length, from)).map((item) => {
    const named = /\bAS ("[^"]+")$/.exec(item);
    if (!named?.[1]) throw new Error(`column without a name: ${item} in ${query}`);
    return unquote(named[1]);
  });
  const groupBy = topLevelIndexes(query, ' GROUP BY ').find((i) => i > from);
  let tags: string[] = [];
  if (groupBy !== undefined) {
    const rest = query.slice(groupBy + ' GROUP BY '.length);
    const fill = topLevelIndexes(rest, ' fill(')[0];
    tags = splitTopLevel(fill === undefined ? rest : rest.slice(0, fill))
      .filter((g) => !g.startsWith('time('))
      .map(unquote);
  }
  return { columns, tags };
}
