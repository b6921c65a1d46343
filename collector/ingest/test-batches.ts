import type { Sample, SamplesBatch } from '../../contract/index.ts';

export const T0 = Date.UTC(2025, 8, 1, 8, 0, 0);

export function sample(overrides: Partial<Sample> = {}): Sample {
  return {
    measurement: 'ping',
    tags: { device: 'core-sw', role: 'core-switch' },
    fields: { rtt_ms: 1.25, loss_pct: 0, up: 1 },
    time: T0,
    ...overrides,
  };
}

export function batch(overrides: Partial<SamplesBatch> = {}): SamplesBatch {
  const seq = overrides.seq ?? 0;
  return {
    v: 1,
    agent: 'north-1',
    site: 'north-primary',
    seq,
    sentAt: T0 + seq * 60_000 + 5_000,
    samples: [sample({ time: T0 + seq * 60_000 })],
    ...overrides,
  };
}
