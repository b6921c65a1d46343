import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, pidAlive, runningServices, spawnService, startService, waitFor } from './index.ts';

describe('service processes', () => {
  const temp = makeTempDir('process-test');
  afterAll(() => temp.remove());

  it('puts the tail of the log into the error of a service that dies while starting', async () => {
    await expect(
      startService({
        name: 'failing',
        command: 'sh',
        args: ['-c', 'echo "bind: address already in use" >&2; exit 3'],
        dir: temp.path,
        ready: async () => false,
        readyWhat: 'failing to answer',
      }),
    ).rejects.toThrow(/failing exited \(exit code 3\)[\s\S]*bind: address already in use/);
  });

  it('puts the tail of the log into the error of a service that never gets ready, and kills it', async () => {
    const error: string = await startService({
      name: 'silent',
      command: 'sh',
      args: ['-c', 'echo "pid $$ still thinking"; exec sleep 60'],
      dir: temp.path,
      ready: async () => false,
      readyTimeoutMs: 300,
      readyWhat: 'silent to answer',
    }).then(
      () => 'started',
      (e: unknown) => String(e),
    );
    expect(error).toMatch(/timed out after 300 ms waiting for silent to answer[\s\S]*still thinking/);
    const pid = Number(/pid (\d+) still thinking/.exec(error)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(pidAlive(pid)).toBe(false);
    expect(runningServices().map((s) => s.name)).not.toContain('silent');
  });

  it('SIGKILLs a process that ignores SIGTERM once the grace period is over', async () => {
    const service = await spawnService({
      name: 'stubborn',
      command: 'sh',
      args: ['-c', 'trap "" TERM; echo ready; while :; do sleep 0.1; done'],
      dir: temp.path,
    });
    await waitFor(() => service.logTail().includes('ready'), { timeoutMs: 5_000, what: 'stubborn to start' });
    const started = performance.now();
    await service.stop(300);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(service.exitStatus?.signal).toBe('SIGKILL');
    expect(pidAlive(service.pid)).toBe(false);
  });
});
