import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_SCHEMAS, renderSchema, schemaPath } from '../deploy/schemas/generate.ts';
import { checkAgainstSchema } from './support/json-schema-subset.ts';

const example = (path: string) => fileURLToPath(new URL(`../deploy/examples/${path}`, import.meta.url));
const EXAMPLES = [
  { path: 'collector.yaml', schema: 'collector.schema.json' },
  { path: 'collector.full.yaml', schema: 'collector.schema.json' },
  { path: 'sites/north-primary.yaml', schema: 'site.schema.json' },
  { path: 'agent.yaml', schema: 'agent.schema.json' },
];
const MODELINE = /^# yaml-language-server: \$schema=(\S+)\n/;

describe('deploy/schemas', () => {
  it.each(CONFIG_SCHEMAS.map((entry) => [entry.file, entry] as const))('%s is what `npm run schemas` writes now', (file, entry) => {
    const onDisk = existsSync(schemaPath(file)) ? readFileSync(schemaPath(file), 'utf8') : '(missing)';
    expect(onDisk, `deploy/schemas/${file} is stale: run npm run schemas`).toBe(renderSchema(entry));
  });

  it.each(EXAMPLES.map((e) => [e.path, e] as const))('deploy/examples/%s names its schema on line 1 and conforms to it', (path, { schema }) => {
    const text = readFileSync(example(path), 'utf8');
    const ref = MODELINE.exec(text)?.[1];
    expect(ref, 'first line: # yaml-language-server: $schema=<relative path>').toBeDefined();
    expect(resolve(dirname(example(path)), ref!)).toBe(schemaPath(schema));
    const json = JSON.parse(readFileSync(schemaPath(schema), 'utf8')) as Record<string, unknown>;
    expect(checkAgainstSchema(json, parse(text))).toEqual([]);
  });

  it('the schemas catch what an editor should flag', () => {
    const collector = JSON.parse(renderSchema(CONFIG_SCHEMAS[0]!)) as Record<string, unknown>;
    const ok = { influx: { url: 'http://127.0.0.1:8086' } };
    expect(checkAgainstSchema(collector, ok)).toEqual([]);
    expect(checkAgainstSchema(collector, { ...ok, retention: { rawDays: 30 } })).toEqual(['retention.rawDays: below minimum 40']);
    expect(checkAgainstSchema(collector, { ...ok, retention: { rollupDays: 800.5 } })).toEqual(['retention.rollupDays: expected integer, got number']);
    expect(checkAgainstSchema(collector, { ...ok, influx: { url: 'x', databse: 'typo' } })).toEqual(['influx.databse: not allowed']);
    expect(checkAgainstSchema(collector, {})).toEqual(['influx: required']);
    const site = JSON.parse(renderSchema(CONFIG_SCHEMAS[1]!)) as Record<string, unknown>;
    const snmp = (config: Record<string, unknown>) => ({ id: 's', name: 'S', devices: [{ name: 'd', address: '10.0.0.1', checks: { snmp: config } }] });
    const v3 = { version: '3', user: 'u', level: 'authNoPriv', authProtocol: 'sha256', authKeyEnv: 'K' };
    expect(checkAgainstSchema(site, snmp({ community: 'c' }))).toEqual([]);
    expect(checkAgainstSchema(site, snmp(v3))).toEqual([]);
    expect(checkAgainstSchema(site, snmp({ ...v3, authKey: 'inline-secret' }))).toEqual(['devices[0].checks.snmp.authKey: not allowed']);
    expect(checkAgainstSchema(site, snmp({ ...v3, authProtocol: 'sha2' }))).toEqual([
      'devices[0].checks.snmp.authProtocol: expected one of ["sha","sha224","sha256","sha384","sha512","md5"]',
    ]);
    const channels = (list: unknown[]) => checkAgainstSchema(collector, { ...ok, notify: { channels: list } });
    expect(channels([{ id: 'ops', type: 'slack', urlEnv: 'SLACK_URL' }, { id: 'hook', type: 'webhook', url: 'https://h.example/x', secretEnv: 'S', headers: { 'X-Key': 'k' } }])).toEqual([]);
    expect(channels([{ id: 'ops', type: 'slak', urlEnv: 'SLACK_URL' }])).toEqual(['notify.channels[0].type: expected "email" | "teams" | "slack" | "webhook"']);
    expect(channels([{ id: 'ops', type: 'slack', urlEnv: 'SLACK_URL', channel: '#noc' }])).toEqual(['notify.channels[0].channel: not allowed']);
    expect(channels([{ id: 'hook', type: 'webhook', url: 'https://h.example/x', headers: { 'X Key': 'k' } }])).toEqual(['notify.channels[0].headers.X Key (name): does not match ^[A-Za-z0-9-]+$']);
  });
});
