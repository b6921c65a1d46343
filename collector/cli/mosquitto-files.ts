import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MosquittoFiles } from '../broker/external-mosquitto.ts';

/** Each file written beside itself and renamed over the old one, so a Mosquitto reload never reads half a file. */
export function writeMosquittoFiles(dir: string, files: MosquittoFiles): { passwordFile: string; aclFile: string } {
  mkdirSync(dir, { recursive: true });
  const put = (name: string, text: string): string => {
    const path = resolve(join(dir, name));
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, path);
    return path;
  };
  return { passwordFile: put('hallmonitor.passwd', files.passwordFile), aclFile: put('hallmonitor.acl', files.aclFile) };
}
