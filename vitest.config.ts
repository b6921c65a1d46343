import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Files that take a minute or more, mostly waiting on real time (alert pending times, polls, floods): started
 * first, longest first, so that the two workers end together instead of one running the slowest file alone at
 * the end. Without a duration cache (a fresh CI clone) vitest starts the largest files first, and the slowest
 * one, small in bytes, began halfway through. Order only: no file is skipped or shortened.
 */
const LONG_FIRST = [
  'test/topology/learned-inhibition.test.ts',
  'test/fleet/fleet-smoke.test.ts',
  'test/traps/flood-polling.test.ts',
  'test/fuzz/ingest-fuzz.test.ts',
  'test/cli-errors.test.ts',
  'test/traps/wan-cut.test.ts',
  'test/reports/report.test.ts',
  'test/web/status-pages.test.ts',
];

class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const at = LONG_FIRST.indexOf(relative(process.cwd(), f.moduleId).split('\\').join('/'));
      return at < 0 ? LONG_FIRST.length : at;
    };
    // Array.prototype.sort is stable: the rest keep vitest's own order.
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['{agent,collector,contract,dashboards,test,bench}/**/*.test.ts'],
    // Real services (influxd, snmpsimd, snmpd) start per file; two cores, so keep the fan-out small.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    sequence: { sequencer: LongFirstSequencer },
  },
});
