import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { INGEST_DEFAULTS, runIngest, type IngestParams } from '../ingest.ts';
import { INGEST_TARGET, ingestTable, profileTable, saveResult, stagesTable } from '../report.ts';
import { runStages, type StageTiming } from '../stages.ts';
import { describeMachine } from '../support/machine.ts';
import { buildWorkload } from '../support/workload.ts';

/**
 * `npm run bench ingest [-- --points N --rounds N --stages --profile --no-save]`: each scenario runs hallmonitor
 * beside a reference on the same work in the same run and prints the ratio. Below the target, the
 * collector's stages are timed one by one (always with --stages); --profile adds a --cpu-prof run. Numbers vary ±30 % between runs on
 * the 2-core machines, so compare ratios, not absolute figures, across commits.
 */
const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      points: { type: 'string' },
      agents: { type: 'string' },
      rounds: { type: 'string' },
      window: { type: 'string' },
      'writes-in-flight': { type: 'string' },
      'raw-writers': { type: 'string' },
      'message-samples': { type: 'string' },
      'write-batch': { type: 'string' },
      stages: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'no-save': { type: 'boolean', default: false },
    },
  });

  function int(name: keyof typeof values, fallback: number): number {
    const text = values[name];
    if (text === undefined || typeof text !== 'string') return fallback;
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name}: expected a positive integer, got "${text}"`);
    return n;
  }

  const params: IngestParams = {
    ...INGEST_DEFAULTS,
    points: int('points', INGEST_DEFAULTS.points),
    agents: int('agents', INGEST_DEFAULTS.agents),
    rounds: int('rounds', INGEST_DEFAULTS.rounds),
    window: int('window', INGEST_DEFAULTS.window),
    writesInFlight: int('writes-in-flight', INGEST_DEFAULTS.writesInFlight),
    rawWriters: int('raw-writers', INGEST_DEFAULTS.rawWriters),
    messageSamples: int('message-samples', INGEST_DEFAULTS.messageSamples),
    writeBatch: int('write-batch', INGEST_DEFAULTS.writeBatch),
    profile: values.profile === true,
  };

  const startedAt = new Date();
  const machine = describeMachine();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`hallmonitor bench ${startedAt.toISOString()}`);
  say(`Node ${machine.node}, ${machine.cpu} × ${machine.cores} cores, ${machine.memoryGiB} GiB, Linux ${machine.kernel}, ${machine.influxd}`);

  try {
    const workload = buildWorkload(params);
    const ingest = await runIngest(params, workload, say);
    const stages: StageTiming[] = values.stages || ingest.ratio < INGEST_TARGET ? await runStages(workload, { writeBatch: params.writeBatch, writesInFlight: params.writesInFlight }) : [];
    say('');
    for (const line of [...ingestTable(ingest), '', ...stagesTable(stages), ...profileTable(ingest)]) say(line);
    if (!values['no-save']) {
      const file = saveResult(RESULTS_DIR, startedAt, machine, { ingest: { ...ingest, target: INGEST_TARGET, stages } });
      say(`\nresult written to ${file}`);
    }
  } catch (err) {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}
