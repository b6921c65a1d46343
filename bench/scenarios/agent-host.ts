import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import si from 'systeminformation';
import { createHostReader } from '../../agent/host/read-host.ts';
import { describeMachine } from '../support/machine.ts';

/**
 * `npm run bench agent-host [-- --readings N]`: what one reading of the agent's own host costs, CPU of this
 * process plus the processes systeminformation spawns (reaped children, /proc/self/stat cutime+cstime),
 * beside the naive reading (networkStats('*') and cpuTemperature every time), and each call on its own.
 * Readings are spaced 1.1 s so that currentLoad measures an interval, as it does in the agent.
 */
const TICKS = 100;

function cpuMs(): { self: number; children: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const { user, system } = process.cpuUsage();
  return { self: (user + system) / 1000, children: ((Number(f[13]) + Number(f[14])) * 1000) / TICKS };
}

async function measure(readings: number, read: () => Promise<unknown>): Promise<{ self: number; children: number; wall: number }> {
  await read(); // warm: first calls load modules and, for currentLoad, wait for a first interval
  let self = 0;
  let children = 0;
  let wall = 0;
  for (let i = 0; i < readings; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const before = cpuMs();
    const started = performance.now();
    await read();
    wall += performance.now() - started;
    const after = cpuMs();
    self += after.self - before.self;
    children += after.children - before.children;
  }
  return { self: self / readings, children: children / readings, wall: wall / readings };
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { readings: { type: 'string', default: '10' } } });
  const readings = Number(values.readings);
  if (!Number.isSafeInteger(readings) || readings < 1) throw new Error(`--readings: expected a positive integer, got "${values.readings}"`);
  const machine = describeMachine();
  process.stdout.write(`node ${machine.node}, ${machine.cpu} × ${machine.cores}, kernel ${machine.kernel}; ${readings} readings each\n`);

  const reader = createHostReader({ now: () => Date.now() });
  const naive = () => Promise.all([si.currentLoad(), si.mem(), si.fsSize(), si.networkStats('*'), si.cpuTemperature()]);
  const rows: [string, () => Promise<unknown>][] = [
    ['agent host reading', () => reader.read()],
    ['naive reading (reference)', naive],
    ['  currentLoad', () => si.currentLoad()],
    ['  mem', () => si.mem()],
    ['  fsSize', () => si.fsSize()],
    ["  networkStats('*')", () => si.networkStats('*')],
    ['  networkInterfaces', () => si.networkInterfaces()],
    ['  cpuTemperature', () => si.cpuTemperature()],
  ];
  const results: Record<string, { self: number; children: number; wall: number }> = {};
  process.stdout.write(`${'call'.padEnd(28)} ${'wall ms'.padStart(8)} ${'cpu ms'.padStart(8)} ${'+children'.padStart(10)} ${'total'.padStart(8)}\n`);
  for (const [name, read] of rows) {
    const r = await measure(readings, read);
    results[name] = r;
    const f = (n: number) => n.toFixed(1);
    process.stdout.write(`${name.padEnd(28)} ${f(r.wall).padStart(8)} ${f(r.self).padStart(8)} ${f(r.children).padStart(10)} ${f(r.self + r.children).padStart(8)}\n`);
  }
  const ours = results['agent host reading']!;
  const ref = results['naive reading (reference)']!;
  const ratio = (ours.self + ours.children) / (ref.self + ref.children);
  process.stdout.write(`agent / naive CPU per reading: ${ratio.toFixed(2)}×; at a 60 s interval the agent spends ${(((ours.self + ours.children) / 60_000) * 100).toFixed(3)} % of one core\n`);
}
