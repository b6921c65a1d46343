import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../collector/storage/backoff.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../../collector/notify/testing/smtp-receiver.ts';
import { freeTcpPort, makeTempDir, spawnService, waitFor, type ServiceProcess, type TempDir } from '../harness/index.ts';

/**
 * The notify stage across a kill -9 (the "collector restarted mid-incident: no duplicate
 * notification" and "a channel down: retried with backoff, then delivered when it returns; nothing lost"):
 * a dispatcher process retries 20 alert emails against an SMTP server answering 451, is killed with
 * SIGKILL, and a new process on the same outbox, which enqueues the same 20 again as a restarted pipeline
 * would, delivers each exactly once when the server accepts.
 */
const COUNT = 20;
const SCRIPT = fileURLToPath(new URL('./dispatcher-process.ts', import.meta.url));
let dir: TempDir;
let smtp: SmtpReceiver;
const started: ServiceProcess[] = [];

const outbox = () => join(dir.path, 'notify.db');
function counts(): Record<string, number> {
  const db = new Database(outbox(), { readonly: true });
  try {
    const rows = db.prepare<[], { state: string; n: number; attempts: number }>('SELECT state, count(*) AS n, sum(attempts) AS attempts FROM deliveries GROUP BY state').all();
    return Object.fromEntries(rows.flatMap((r) => [[r.state, r.n], [`${r.state}Attempts`, r.attempts]]));
  } finally {
    db.close();
  }
}
const run = async (name: string) => {
  const service = await spawnService({ name, command: process.execPath, args: ['--import', 'tsx', SCRIPT, outbox(), String(smtp.port), String(COUNT)], dir: dir.path, cwd: process.cwd() });
  started.push(service);
  await waitFor(() => /dispatcher running/.test(service.logTail(50)), { timeoutMs: 30_000, what: `${name} running`, service });
  return service;
};

beforeAll(async () => {
  dir = makeTempDir('notify-kill');
  smtp = await startSmtpReceiver({ port: await freeTcpPort() });
});
afterAll(async () => {
  for (const s of started) if (s.exitStatus === undefined) await s.stop();
  await smtp?.stop();
  await dir?.remove();
});

describe('dispatcher kill -9 while the SMTP server refuses', () => {
  it('resumes from the outbox and delivers each notification exactly once', async () => {
    smtp.refuseAll(451);
    const first = await run('dispatcher-1');
    await waitFor(() => (counts()['pendingAttempts'] ?? 0) >= COUNT * 3, { timeoutMs: 30_000, what: 'three refused attempts per delivery', service: first });
    process.kill(first.pid, 'SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(smtp.messages).toHaveLength(0);
    expect(counts()['pending']).toBe(COUNT);

    smtp.accept();
    const second = await run('dispatcher-2');
    await smtp.waitForMessages(COUNT, 30_000);
    await waitFor(() => counts()['delivered'] === COUNT, { timeoutMs: 10_000, what: 'all deliveries recorded', service: second });
    await sleep(1_500); // several backoff periods: anything sent twice would arrive now
    await second.stop();

    expect(smtp.messages).toHaveLength(COUNT);
    expect(new Set(smtp.messages.map((m) => m.subject)).size).toBe(COUNT);
    expect(new Set(smtp.messages.map((m) => m.messageId)).size).toBe(COUNT);
    expect(counts()).toMatchObject({ delivered: COUNT });
    expect(second.logTail(400)).toMatch(/resuming deliveries left in the outbox/);
  });
});
