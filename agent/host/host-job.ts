import type { Logger, Sample } from '../../contract/index.ts';
import type { Job } from '../schedule/scheduler.ts';
import { hostSamples, type HostCounters } from './host-samples.ts';
import type { HostReader } from './read-host.ts';

export interface HostJobOptions {
  agent: string;
  intervalMs: number;
  reader: HostReader;
  sink: (samples: Sample[]) => void;
  log: Logger;
}

/** The scheduler job that samples the agent's own host; keeps the interface counters between runs for rates. */
export function hostJob(options: HostJobOptions): Job {
  let counters: HostCounters | undefined;
  let lastProblems = '';
  return {
    key: 'agent/host',
    intervalMs: options.intervalMs,
    run: async () => {
      const reading = await options.reader.read();
      const result = hostSamples(reading, counters, { agent: options.agent });
      counters = result.counters;
      // Said once per change, not every interval: a host without df keeps lacking it.
      const problems = reading.problems.join('; ');
      if (problems !== lastProblems && problems !== '') options.log.warn({ agent: options.agent, check: 'host', reason: problems }, 'host metrics incomplete');
      lastProblems = problems;
      options.sink(result.samples);
    },
  };
}
