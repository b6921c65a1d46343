import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{agent,collector,contract,dashboards,test,bench}/**/*.test.ts'],
    // Real services (influxd, snmpsimd, snmpd) start per file; two cores, so keep the fan-out small.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
