import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSON_DIRS, renderFiles } from './index.ts';

/** `npm run dashboards`: writes the dashboards' JSON and the Grafana provisioning set, removes stale JSON. */
const root = fileURLToPath(new URL('..', import.meta.url));
const files = renderFiles();
let changed = 0;
for (const [path, content] of files) {
  const target = join(root, path);
  if (existsSync(target) && readFileSync(target, 'utf8') === content) continue;
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
  changed++;
  console.log(`wrote ${path}`);
}
for (const dir of JSON_DIRS) {
  for (const name of readdirSync(join(root, dir))) {
    if (name.endsWith('.json') && !files.has(`${dir}/${name}`)) {
      rmSync(join(root, dir, name));
      changed++;
      console.log(`removed ${dir}/${name}`);
    }
  }
}
console.log(`${files.size} files, ${changed} changed`);
