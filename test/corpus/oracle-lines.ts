import { readFileSync } from 'node:fs';
import { CORPUS_DIR } from '../harness/index.ts';

/** The raw `oid|tag|value` lines of a corpus recording, for the test's justification tables. */
export function recordingLines(name: string): string[] {
  return readFileSync(`${CORPUS_DIR}/recordings/${name}.snmprec`, 'utf8').split('\n').map((l) => l.replace(/\r$/, ''));
}
