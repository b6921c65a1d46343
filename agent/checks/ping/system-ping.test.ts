import { describe, expect, it } from 'vitest';
import { pingCheckSchema } from '../../../contract/index.ts';
import { pingOutcome } from './parse.ts';
import { runSystemPing, systemPingArgs } from './system-ping.ts';

const config = pingCheckSchema.parse({ probes: 2, probeIntervalSeconds: 0.2, timeoutSeconds: 0.5 });

describe('system ping (spawned directly)', () => {
  it('puts the address after "--", so one starting with "-" is never an option', () => {
    const args = systemPingArgs('-f', config);
    expect(args.slice(-2)).toEqual(['--', '-f']);
    expect(args).toEqual(['-n', '-c', '2', '-i', '0.2', '-W', '0.5', '--', '-f']);
  });

  it('pings 127.0.0.1 and ::1 with a summary parse.ts reads', async () => {
    for (const address of ['127.0.0.1', '::1']) {
      const outcome = pingOutcome(await runSystemPing(address, config));
      expect(outcome.summary, address).toMatchObject({ sent: 2, received: 2 });
      expect(outcome.summary?.rtt?.avgMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('reads the summary in English under another locale, and leaves this process\'s LANG and LC_ALL alone', async () => {
    const before = { LANG: process.env.LANG, LC_ALL: process.env.LC_ALL };
    process.env.LANG = 'de_DE.UTF-8';
    process.env.LC_ALL = 'de_DE.UTF-8';
    try {
      const outcome = pingOutcome(await runSystemPing('127.0.0.1', config));
      expect(outcome.summary).toMatchObject({ sent: 2, received: 2 });
      expect(process.env.LANG).toBe('de_DE.UTF-8');
      expect(process.env.LC_ALL).toBe('de_DE.UTF-8');
    } finally {
      for (const [k, v] of Object.entries(before)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('gives a name that does not resolve as a reason, not a throw', async () => {
    const outcome = pingOutcome(await runSystemPing('no-such-host.invalid', config));
    expect(outcome.summary).toBeUndefined();
    expect(outcome.noReply).toMatch(/no-such-host\.invalid|not known|resolve/i);
  });

  it('gives a ping that cannot start as a reason, not a throw', async () => {
    const outcome = pingOutcome(await runSystemPing('127.0.0.1', config, '/nonexistent/ping'));
    expect(outcome.summary).toBeUndefined();
    expect(outcome.noReply).toBe('cannot run /nonexistent/ping: ENOENT');
  });
});
