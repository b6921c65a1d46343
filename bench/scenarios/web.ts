import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { createLogger } from '../../contract/index.ts';
import { hashPassword } from '../../collector/agents/password.ts';
import type { Alert } from '../../collector/alerts/pipeline/alert.ts';
import type { DeviceState } from '../../collector/alerts/state/device-state.ts';
import { siteFileSchema, type SiteFile } from '../../collector/config/schema.ts';
import { overviewView, technicianView } from '../../collector/web/provider-view.ts';
import { schoolView } from '../../collector/web/school-view.ts';
import { startWebServer, type WebModel } from '../../collector/web/server.ts';
import { WebStore } from '../../collector/web/store.ts';
import { renderOverview, renderTechnician } from '../../collector/web/render/provider.ts';
import { renderSchool } from '../../collector/web/render/school.ts';
import { parseOverviewQuery } from '../../collector/web/provider-view.ts';
import { saveResult, table } from '../report.ts';
import { describeMachine } from '../support/machine.ts';

/**
 * `npm run bench -- web [--schools N --rounds N --no-save]`: the status pages in Debian's Chromium. Per page:
 * bytes transferred (HTML + CSS + script; target < 200 KB) and first contentful paint on a fresh context
 * (target < 1 s), beside the same HTML served as a static file by a bare node:http server in the same run
 * (the floor: what the browser needs to paint that much markup). The state is made by hand: N schools of 14
 * devices, a fifth of them with a device down. Beside the browser's figure: the server's time to first byte
 * (node:http client, headers received) and the part of it that is view model + HTML, timed in-process, so a slow
 * first paint can be told apart as server or browser. The load average is printed with the figures: the machine is
 * shared.
 */
const RESULTS_DIR = fileURLToPath(new URL('../results/web/', import.meta.url));
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const PASSWORD = 'bench password 1234';

function fleet(n: number): SiteFile[] {
  const roles = ['internet', 'firewall', 'core-switch', 'switch', 'switch', 'access-point', 'access-point', 'access-point', 'access-point', 'printer', 'printer', 'server', 'server', 'ups'] as const;
  return Array.from({ length: n }, (_, i) =>
    siteFileSchema.parse({
      id: `school-${i}`,
      name: `School number ${i} Church of England Primary Academy`,
      devices: roles.map((role, k) => ({ name: `${role}-${k}`, address: `192.0.2.${k + 1}`, role })),
      maintenance: [{ name: 'Weekly patching', weekly: { days: ['sat'], time: '22:00-23:00' } }],
    }),
  );
}

async function firstPaint(browser: Browser, url: string, cookie?: { name: string; value: string; url: string }): Promise<{ fcpMs: number; bytes: number }> {
  const context = await browser.newContext();
  if (cookie) await context.addCookies([cookie]);
  const page = await context.newPage();
  let bytes = 0;
  page.on('response', async (r) => {
    const body = await r.body().catch(() => Buffer.alloc(0));
    bytes += body.length;
  });
  await page.goto(url, { waitUntil: 'load' });
  const fcp = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const found = performance.getEntriesByName('first-contentful-paint')[0];
        if (found) return resolve(found.startTime);
        new PerformanceObserver((list) => resolve(list.getEntries()[0]!.startTime)).observe({ type: 'paint' as never, buffered: true });
      }),
  );
  await page.waitForTimeout(100);
  await context.close();
  return { fcpMs: fcp, bytes };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Milliseconds from sending the request to its response headers (the server's time to first byte). */
function ttfb(url: string, cookie?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    http
      .get(url, { headers: cookie ? { cookie } : {} }, (res) => {
        const ms = performance.now() - started;
        res.resume();
        res.on('end', () => resolve(ms));
      })
      .on('error', reject);
  });
}

/** Median milliseconds of `make` over `n` runs, in this process. */
function timed(n: number, make: () => unknown): number {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    make();
    xs.push(performance.now() - started);
  }
  return median(xs);
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { schools: { type: 'string', default: '40' }, rounds: { type: 'string', default: '5' }, 'no-save': { type: 'boolean', default: false } } });
  const n = Number(values.schools);
  const rounds = Number(values.rounds);
  const now = Date.UTC(2026, 10, 24, 9, 0, 0);
  const sites = fleet(n);
  const byId = new Map(sites.map((s) => [s.id, s]));
  const states = (s: SiteFile, i: number) => new Map<string, DeviceState>(s.devices.map((d, k) => [d.name, i % 5 === 0 && k === 6 ? 'down' : 'up']));
  const alerts: Alert[] = sites.flatMap((s, i) =>
    i % 5 === 0 ? [{ id: `a${i}`, key: `k${i}`, rule: 'device-down', site: s.id, device: 'access-point-6', severity: 'critical', period: 'always', title: `${s.name}: access-point-6 is down`, facts: [], state: 'firing', since: now - 3_600_000, notified: true, level: 0, sent: 1, resolvedSent: false, recipients: [] } satisfies Alert] : [],
  );
  const school = (id: string) => {
    const i = sites.findIndex((s) => s.id === id);
    return schoolView({ site: byId.get(id)!, now, siteState: { state: 'online' }, devices: states(byId.get(id)!, i), alerts, notes: new Map(), since: new Map(), reports: [{ month: '2026-10', href: '#' }], availability: [{ service: 'internet', thisMonthPct: 99.9, lastMonthPct: 99.95 }] });
  };
  const model: WebModel = {
    siteExists: (id) => byId.has(id),
    siteDevices: (id) => byId.get(id)?.devices.map((d) => d.name) ?? [],
    maintenanceChanged: () => undefined,
    school,
    overview: (q) => overviewView(sites.map((site) => ({ site, worst: school(site.id).overall, alerts, agents: [], heardAt: new Map(), siteOnline: true, internetPct: 99.9 })), q, now),
    technician: (id) => technicianView({ site: byId.get(id)!, now, devices: states(byId.get(id)!, 0), series: () => [], alerts, agents: [], grafanaUrl: 'http://grafana.example' }),
    reportMonths: () => [],
    reportPdf: async () => Buffer.alloc(0),
    alertSite: () => undefined,
  };
  const dir = mkdtempSync(join(tmpdir(), 'hm-bench-web-'));
  const store = new WebStore({ db: join(dir, 'web.db'), key: join(dir, 'web.key') });
  store.setUser('bench', await hashPassword(PASSWORD), now);
  const token = store.ensureLink('school-0', now)!;
  const server = await startWebServer({ host: '127.0.0.1', port: 0, secure: false, refreshSeconds: 15, sessionHours: 1, publicUrl: 'http://127.0.0.1', store, model, log: createLogger('web', 'silent'), now: () => now });
  const base = server.url;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  // A session for the overview pages, made through the sign-in form as a browser would.
  const loginPage = await (await browser.newContext()).newPage();
  await loginPage.goto(`${base}/login`);
  await loginPage.fill('#username', 'bench');
  await loginPage.fill('#password', PASSWORD);
  await loginPage.click('button[type=submit]');
  await loginPage.waitForURL(`${base}/provider`);
  const session = (await loginPage.context().cookies()).find((c) => c.name === 'hm_session')!;
  const cookie = { name: session.name, value: session.value, url: base };
  const pages = [
    { name: 'school status', path: `/s/${token}`, cookie: undefined, build: () => renderSchool(model.school('school-0'), 15) },
    { name: `overview (${n} schools)`, path: '/provider', cookie, build: () => renderOverview(model.overview(parseOverviewQuery(new URLSearchParams())), { user: 'bench', csrf: 'x', refreshSeconds: 15 }) },
    { name: 'technician', path: '/provider/sites/school-0', cookie, build: () => renderTechnician(model.technician('school-0')!, { user: 'bench', csrf: 'x', refreshSeconds: 15, notes: new Map(), statusLink: undefined }) },
  ];
  const loadBefore = loadavg();
  // The reference: each page's HTML, as a static file from a bare server (no CSS or script).
  const snapshots = new Map<string, string>();
  for (const p of pages) snapshots.set(p.path, await (await fetch(`${base}${p.path}`, { headers: p.cookie ? { cookie: `${cookie.name}=${cookie.value}` } : {} })).text());
  const bare = http.createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end((snapshots.get(req.url ?? '') ?? '').replace(/<link rel="stylesheet"[^>]*>|<script[^>]*><\/script>/g, '')));
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const bareBase = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
  const rows: string[][] = [];
  const results: Record<string, unknown>[] = [];
  try {
    for (const p of pages) {
      const ours: number[] = [];
      const ref: number[] = [];
      let bytes = 0;
      for (let r = 0; r < rounds; r++) {
        const a = await firstPaint(browser, `${base}${p.path}`, p.cookie);
        ours.push(a.fcpMs);
        bytes = a.bytes;
        ref.push((await firstPaint(browser, `${bareBase}${p.path}`)).fcpMs);
      }
      const fcp = median(ours);
      const floor = median(ref);
      const firstByte: number[] = [];
      for (let r = 0; r < rounds; r++) firstByte.push(await ttfb(`${base}${p.path}`, p.cookie ? `${cookie.name}=${cookie.value}` : undefined));
      const serverMs = median(firstByte);
      const buildMs = timed(rounds, p.build);
      rows.push([p.name, `${(bytes / 1024).toFixed(1)} KB`, bytes < 200 * 1024 ? 'yes' : 'NO', `${serverMs.toFixed(1)} ms`, `${buildMs.toFixed(1)} ms`, `${fcp.toFixed(0)} ms`, fcp < 1_000 ? 'yes' : 'NO', `${floor.toFixed(0)} ms`, (fcp / floor).toFixed(2)]);
      results.push({ page: p.name, bytes, ttfbMs: serverMs, viewAndRenderMs: buildMs, fcpMs: fcp, bareFcpMs: floor });
    }
  } finally {
    await browser.close();
    await server.close();
    await new Promise((r) => bare.close(r));
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const loadAfter = loadavg();
  for (const line of table(['page', 'weight', '< 200 KB', 'server TTFB', 'view model + HTML', 'first contentful paint (median)', '< 1 s', 'bare static HTML', 'ratio'], rows)) process.stdout.write(`${line}\n`);
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  process.stdout.write(`load average (1, 5, 15 min) before ${load(loadBefore)}, after ${load(loadAfter)}; ${describeMachine().cores} cores\n`);
  if (!values['no-save']) process.stdout.write(`saved ${saveResult(RESULTS_DIR, new Date(), describeMachine(), { web: { schools: n, rounds, load: { before: loadBefore, after: loadAfter }, pages: results } })}\n`);
}
