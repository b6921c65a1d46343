import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createTestNet } from './test-net.ts';

const ping = (address: string, count = 5) =>
  spawnSync('ping', ['-n', '-q', '-c', String(count), '-i', '0.02', '-W', '1', address], { encoding: 'utf8' }).stdout;
const avgRtt = (out: string) => Number(/= [\d.]+\/([\d.]+)\//.exec(out)?.[1]);

describe.runIf(process.getuid?.() === 0)('createTestNet', () => {
  it('gives answering hosts routed into its own namespace, and removes everything', async () => {
    const net = await createTestNet({ hosts: 3 });
    try {
      expect(net.addresses).toHaveLength(3);
      for (const address of net.addresses) {
        expect(address).toMatch(/^198\.18\.\d+\.\d+$/);
        expect(execFileSync('ip', ['route', 'get', address], { encoding: 'utf8' })).toContain(`dev ${net.hostInterface}`);
      }
      expect(ping(net.addresses[2]!)).toContain(' 0% packet loss');
    } finally {
      await net.remove();
    }
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(net.namespace);
    expect(spawnSync('ip', ['link', 'show', net.hostInterface]).status).not.toBe(0);
    await net.remove(); // twice is fine
  });

  it('answers through the impaired responder with its delay and exact stratified loss', async () => {
    const net = await createTestNet({ hosts: 1, impairment: { delayMs: 30, lossPct: 10, seed: 5 } });
    try {
      const out = ping(net.addresses[0]!, 40);
      // Blocks of 20 requests lose exactly 2 each: 40 probes, 36 replies.
      expect(out).toContain('40 packets transmitted, 36 received');
      expect(avgRtt(out)).toBeGreaterThanOrEqual(30);
      expect(avgRtt(out)).toBeLessThan(40);
    } finally {
      await net.remove();
    }
  });

  it('runs two at once on different slots', async () => {
    const [a, b] = await Promise.all([createTestNet({ hosts: 1 }), createTestNet({ hosts: 1 })]);
    try {
      expect(a.hostInterface).not.toBe(b.hostInterface);
      expect(ping(a.addresses[0]!, 2)).toContain(' 0% packet loss');
      expect(ping(b.addresses[0]!, 2)).toContain(' 0% packet loss');
    } finally {
      await Promise.all([a.remove(), b.remove()]);
    }
  });
});
