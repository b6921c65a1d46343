import { execFile } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { createDeadHost, type DeadHost } from './index.ts';

function run(command: string, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 10_000 }, (error, stdout) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout });
    });
  });
}

const namespaces = async (): Promise<string[]> =>
  (await run('ip', ['netns', 'list'])).stdout.split('\n').map((line) => line.split(' ')[0] ?? '');

describe('createDeadHost', () => {
  const created: DeadHost[] = [];

  afterAll(async () => {
    for (const host of created) await host.remove();
  });

  it('gives an address in 198.18.0.0/15 that is routed into its namespace and never answers ping', async () => {
    const dead = await createDeadHost();
    created.push(dead);
    expect(dead.address).toMatch(/^198\.1[89]\./);
    expect(await namespaces()).toContain(dead.namespace);
    expect((await run('ip', ['route', 'get', dead.address])).stdout).toMatch(/dev hmd\d+h/);

    expect((await run('ping', ['-c', '1', '-W', '1', dead.address])).code).not.toBe(0);
    expect((await run('ping', ['-c', '1', '-W', '1', '127.0.0.1'])).code).toBe(0);
  });

  it('gives each call its own namespace and range, and remove() deletes them', async () => {
    const [a, b] = await Promise.all([createDeadHost(), createDeadHost()]);
    created.push(a, b);
    expect(a.namespace).not.toBe(b.namespace);
    expect(a.range).not.toBe(b.range);

    await a.remove();
    await a.remove(); // twice is harmless
    expect(await namespaces()).not.toContain(a.namespace);
    expect(await namespaces()).toContain(b.namespace);
    // The route went with it: the address now follows the default route again, which we must not ping.
    expect((await run('ip', ['route', 'get', a.address])).stdout).not.toMatch(/dev hmd\d+h/);

    await b.remove();
    expect(await namespaces()).not.toContain(b.namespace);
  });
});
