import { cpuMeter, cpuSeconds, machineCpuSeconds } from '../support/proc-stats.ts';
import { profileInfluxd, summariseGoProfile, type GoProfileSummary } from '../support/go-profile.ts';

/** influxd's running total of points its HTTP service stored (`httpd.pointsWrittenOK` in /debug/vars). */
async function pointsWrittenOK(url: string): Promise<number> {
  const page = (await (await fetch(`${url}/debug/vars`)).json()) as Record<string, { name?: string; values?: Record<string, unknown> }>;
  let sum = 0;
  for (const entry of Object.values(page)) if (entry?.name === 'httpd') sum += Number(entry.values?.['pointsWrittenOK'] ?? 0);
  return sum;
}

export interface WindowFigures {
  seconds: number;
  /** CPU seconds each process used in the window (agents: all the bench's agent processes together; bench: this process). */
  cpuSeconds: Record<string, number>;
  /** The whole machine's cores busy, idle and waiting for the disk, on average over the window. */
  machineCores: { busy: number; idle: number; iowait: number };
  /** Every point influxd stored in the window, whoever sent it (the live schools' included), and per second. */
  influxdPoints: number;
  influxdPointsPerSecond: number;
  /** Where influxd's CPU went in the first `profileSeconds` of the window. */
  influxdProfile?: GoProfileSummary;
}

/**
 * What the machine did in one window of a run (the drain, the raw reference): who had the 2 cores, and how
 * many points influxd stored in all. The drain and its reference share influxd with the live schools, and
 * the bench's agents share the machine, so a ratio of two rates needs these beside it to be read.
 */
export async function measureWindow(pids: { collector: number; influxd: number; agents: readonly number[] }, influxUrl: string, profileSeconds = 0): Promise<() => Promise<WindowFigures>> {
  const cpu = cpuMeter({ collector: pids.collector, influxd: pids.influxd, ...Object.fromEntries(pids.agents.map((pid, k) => [`agents${k}`, pid])) });
  const points0 = await pointsWrittenOK(influxUrl);
  const machine0 = machineCpuSeconds();
  const bench0 = cpuSeconds();
  const t0 = performance.now();
  const profile = profileSeconds > 0 ? profileInfluxd(influxUrl, profileSeconds).then((p) => summariseGoProfile(p), (err: unknown) => ({ error: (err as Error).message })) : undefined;
  return async () => {
    const seconds = (performance.now() - t0) / 1000;
    const used = cpu();
    const points = (await pointsWrittenOK(influxUrl)) - points0;
    const agents = Object.entries(used).filter(([k]) => k.startsWith('agents')).reduce((n, [, v]) => n + v, 0);
    const bench = Math.round((cpuSeconds() - bench0) * 1000) / 1000;
    const m = machineCpuSeconds();
    const cores = (v: number) => Math.round((v / seconds) * 100) / 100;
    const machineCores = { busy: cores(m.busy - machine0.busy), idle: cores(m.idle - machine0.idle), iowait: cores(m.iowait - machine0.iowait) };
    const figures: WindowFigures = {
      seconds: Math.round(seconds * 1000) / 1000,
      cpuSeconds: { collector: used['collector']!, influxd: used['influxd']!, agents: Math.round(agents * 1000) / 1000, bench },
      machineCores,
      influxdPoints: points,
      influxdPointsPerSecond: Math.round(points / seconds),
    };
    // A profile longer than the window is still running: it is not waited for.
    const summary = profile === undefined || seconds < profileSeconds ? undefined : await profile;
    if (summary !== undefined && 'samples' in summary) figures.influxdProfile = summary;
    return figures;
  };
}
