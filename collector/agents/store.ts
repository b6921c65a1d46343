import { existsSync, readFileSync } from 'node:fs';
import { writeAtomically } from '../files/atomic.ts';
import { isSeq, parseDocument } from 'yaml';
import { ConfigError, idSchema, loadConfigFile, parseConfigText } from '../../contract/index.ts';
import { generatePassword, hashPassword, type ScryptParams } from './password.ts';
import { agentsFileSchema, type AgentEntry } from './schema.ts';

export interface StoreOptions {
  /** Injected clock for createdAt / revokedAt. */
  now?: () => Date;
  /** Store an scrypt hash (the format of earlier versions, which Mosquitto cannot read) instead of `$7$`. */
  scrypt?: ScryptParams;
}

/**
 * All entries, revoked ones included. A missing file is a provider with no agents yet (a fresh install
 * starts the collector before the first `agent add`). Throws ConfigError naming file, path and expectation.
 */
export function loadAgents(file: string): AgentEntry[] {
  if (!existsSync(file)) return [];
  return loadConfigFile(file, agentsFileSchema).agents;
}

/**
 * Issues a credential for a new agent. The password is returned once and only its hash is stored.
 * Refuses an id that is already in the file, even a revoked one, so logs never mix two agents.
 */
export async function addAgent(
  file: string,
  agent: { id: string; site: string },
  options: StoreOptions = {},
): Promise<{ password: string; entry: AgentEntry }> {
  for (const [key, value] of [['id', agent.id], ['site', agent.site]] as const) {
    const check = idSchema.safeParse(value);
    if (!check.success) throw new ConfigError(`agent ${key} "${value}": ${check.error.issues[0]?.message ?? 'invalid'}`);
  }
  refuseDuplicate(file, readStore(file).agents, agent.id);
  const password = generatePassword();
  const passwordHash = await hashPassword(password, options.scrypt ? { scrypt: options.scrypt } : {});
  const entry: AgentEntry = { id: agent.id, site: agent.site, passwordHash, createdAt: now(options).toISOString() };
  // Read again after the hash: the read-check-write below is synchronous, so no other add slips in between.
  const store = readStore(file);
  refuseDuplicate(file, store.agents, agent.id);
  if (isSeq(store.doc.get('agents'))) store.doc.addIn(['agents'], entry);
  else store.doc.set('agents', [entry]);
  writeAtomically(file, String(store.doc));
  return { password, entry };
}

/** Marks an agent revoked (idempotent: a second revoke keeps the first time). Throws if the id is unknown. */
export function revokeAgent(file: string, id: string, options: StoreOptions = {}): AgentEntry {
  const store = readStore(file);
  const index = store.agents.findIndex((a) => a.id === id);
  const found = store.agents[index];
  if (!found) throw new ConfigError(`${file}: no agent with id "${id}"`);
  if (found.revokedAt !== undefined) return found;
  const revokedAt = now(options).toISOString();
  store.doc.setIn(['agents', index, 'revokedAt'], revokedAt);
  writeAtomically(file, String(store.doc));
  return { ...found, revokedAt };
}

function now(options: StoreOptions): Date {
  return options.now?.() ?? new Date();
}

function refuseDuplicate(file: string, agents: AgentEntry[], id: string): void {
  if (agents.some((a) => a.id === id)) throw new ConfigError(`${file}: agent "${id}" already exists`);
}

/** The validated entries plus the YAML document, so an edit keeps the admin's comments and layout. */
function readStore(file: string) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`${file}: cannot read: ${(err as Error).message}`);
    text = '';
  }
  const agents = parseConfigText(file, text, agentsFileSchema).agents;
  return { agents, doc: parseDocument(text) };
}

