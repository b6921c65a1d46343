import { readFileSync } from 'node:fs';

function idFrom(file: string, name: string): number {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name && fields[2] !== undefined) return Number(fields[2]);
  }
  throw new Error(`${file}: no entry for ${JSON.stringify(name)}`);
}

/** The unprivileged account daemons drop to; Debian names its group "nogroup". */
export function nobody(): { uid: number; gid: number; user: string; group: string } {
  return { uid: idFrom('/etc/passwd', 'nobody'), gid: idFrom('/etc/group', 'nogroup'), user: 'nobody', group: 'nogroup' };
}

export const isRoot = (): boolean => process.getuid?.() === 0;
