import type { Device, Logger, Sample } from '../../contract/index.ts';
import type { Check, CheckContext } from '../checks/check.ts';
import type { Job } from '../schedule/scheduler.ts';

/** The check kinds this agent can run, one instance each (a check may keep state such as counters). */
export interface CheckSet {
  ping: Check<NonNullable<Device['checks']['ping']>>;
  snmp: Check<NonNullable<Device['checks']['snmp']>>;
}

/** One scheduler job per device and configured check; results go to `sink`. */
export function jobsForDevices(
  devices: readonly Device[],
  checks: CheckSet,
  ctx: CheckContext,
  sink: (samples: Sample[]) => void,
  log: Logger,
): Job[] {
  const jobs: Job[] = [];
  for (const device of devices) {
    for (const kind of ['ping', 'snmp'] as const) {
      const config = device.checks[kind];
      if (config === undefined) continue;
      const check = checks[kind] as Check<typeof config>;
      jobs.push({
        key: `${device.name}/${kind}`,
        intervalMs: config.intervalSeconds * 1000,
        run: async () => {
          const started = ctx.now();
          sink(await check.run(device, config, ctx));
          log.debug({ device: device.name, check: kind, ms: ctx.now() - started }, 'check done');
        },
      });
    }
  }
  return jobs;
}
