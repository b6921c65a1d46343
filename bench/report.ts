import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IngestResult } from './ingest.ts';
import type { IngestRun } from './support/compare-runs.ts';
import type { StageTiming } from './stages.ts';
import type { Machine } from './support/machine.ts';

/** Ours over the reference; below this the table says BELOW. A bench reports, it never fails a build. */
export const INGEST_TARGET = 0.8;

const label = (run: IngestRun) => `${run.kind === 'raw' ? 'raw /write' : 'MQTT→collector'} ×${run.writers}`;

/** A plain text table, first column left-aligned, the others right-aligned. */
export function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)];
}

/** Mean CPU µs per point of each process over the runs of one kind. */
function cpuPerPoint(runs: readonly IngestRun[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of new Set(runs.flatMap((r) => Object.keys(r.cpuSeconds)))) {
    const seconds = runs.reduce((n, r) => n + (r.cpuSeconds[key] ?? 0), 0);
    const points = runs.reduce((n, r) => n + r.points, 0);
    out[key] = Math.round((seconds / points) * 1e7) / 10;
  }
  return out;
}

export function ingestTable(r: IngestResult): string[] {
  const p = r.params;
  const cpuKeys = [...new Set(r.runs.flatMap((run) => Object.keys(run.cpuSeconds)))];
  const rows = r.runs.map((run) => [
    label(run),
    String(run.round),
    String(run.points),
    run.seconds.toFixed(2),
    String(run.pointsPerSecond),
    ...cpuKeys.map((k) => (run.cpuSeconds[k] === undefined ? '' : run.cpuSeconds[k]!.toFixed(2))),
    run.ackedSeconds === undefined ? '' : run.ackedSeconds.toFixed(2),
    run.collectorPeakRssMiB === undefined ? '' : String(run.collectorPeakRssMiB),
  ]);
  const kinds = [...new Set(r.runs.map(label))];
  const perPoint = kinds.map(
    (kind) =>
      `${kind}: ${Object.entries(cpuPerPoint(r.runs.filter((run) => label(run) === kind)))
        .map(([k, us]) => `${k} ${us}`)
        .join(', ')}`,
  );
  const verdict = r.ratio >= INGEST_TARGET ? 'PASS' : 'BELOW';
  return [
    `ingest: ${r.totalPoints} points per run (${r.seriesPerRun} series), ${p.agents} agents, ${r.messages} messages of ≤${p.messageSamples} samples,`,
    `        QoS 1 window ${p.window}/agent; writes of ${p.writeBatch} points: collector ${p.writesInFlight} in flight, references ${p.writesInFlight} and ${p.rawWriters} writers`,
    ...table(['run', 'round', 'points', 'seconds', 'points/s', ...cpuKeys.map((k) => `cpu s ${k}`), 'acked s', 'collector MiB'], rows),
    'CPU µs per point:',
    ...perPoint.map((line) => `  ${line}`),
    `best of ${p.rounds}: ours ${r.ours} points/s; raw ×${p.writesInFlight} ${r.raw} points/s, ratio ${r.ratio.toFixed(3)} — ${verdict} (target ≥ ${INGEST_TARGET});`,
    `           raw ×${p.rawWriters} ${r.rawWide} points/s, ratio ${r.ratioWide.toFixed(3)}; median of the rounds' own ratios (×${p.writesInFlight}) ${r.ratioMedian.toFixed(3)}`,
  ];
}

export function stagesTable(stages: readonly StageTiming[]): string[] {
  if (stages.length === 0) return [];
  return ['collector stages, one thread, this process:', ...table(['stage', 'µs/point'], stages.map((s) => [s.stage, s.usPerPoint.toFixed(2)]))];
}

export function profileTable(r: IngestResult): string[] {
  if (!r.profile) return [];
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)} %`;
  return [
    `collector CPU profile (one more, untimed, run under --cpu-prof): ${r.profile.busyMs} ms busy, self time by area:`,
    ...r.profile.byArea.slice(0, 12).map((a) => `  ${pct(a.share)}  ${a.area}`),
    '  heaviest functions:',
    ...r.profile.byFunction.slice(0, 25).map((f) => `  ${pct(f.share)}  ${f.fn}`),
  ];
}

/** One small JSON file per bench run, named by its UTC start time, for committing beside the code. */
export function saveResult(dir: string, startedAt: Date, machine: Machine, scenarios: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  const stamp = startedAt.toISOString().slice(0, 16).replace(/:/g, '');
  const file = join(dir, `${stamp}Z.json`);
  writeFileSync(file, `${JSON.stringify({ date: startedAt.toISOString(), machine, scenarios }, null, 2)}\n`);
  return file;
}
