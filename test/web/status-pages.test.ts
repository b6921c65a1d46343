import { mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebStore, webFiles } from '../../collector/web/store.ts';
import { waitFor } from '../harness/index.ts';
import { AP_RECORDING, PRINTER_RECORDING, SCHOOL_A, SCHOOL_B, UPS_RECORDING, startWebRig, type WebRig } from './rig.ts';

const AXE = readFileSync(fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url)), 'utf8');
const IMG_DIR = fileURLToPath(new URL('../../docs/img/', import.meta.url));
/** A device that stops answering shows within the agent's poll (2 s), its timeout, the engine's turn and one refresh; generous for 2 shared cores. */
const CHANGE_BOUND_MS = 30_000;

let rig: WebRig;
let linkA: string;
let linkB: string;

beforeAll(async () => {
  rig = await startWebRig();
  linkA = (await rig.cli(['web', 'link', '--site', SCHOOL_A])).trim();
  // School B's link, made in-process (each CLI start costs seconds on a loaded machine).
  const store = new WebStore(webFiles(rig.config));
  try {
    linkB = `${rig.base}/s/${store.ensureLink(SCHOOL_B, Date.now())}`;
  } finally {
    store.close();
  }
}, 240_000);

/** A GET exactly as written: no client-side dot-segment removal (fetch and URL would do it). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(rig.base);
  return new Promise((resolve, reject) => {
    http
      .get({ host: hostname, port, path }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}
afterAll(() => rig?.stop(), 60_000);

let password: string | undefined;

/** A fresh browser context signed in as the provider's admin (made once with the CLI). */
async function signedIn(): Promise<Page> {
  if (password === undefined) {
    const out = await rig.cli(['web', 'user', 'add', '--name', 'admin']);
    password = /password (\S+)/.exec(out)![1]!;
  }
  const context = await rig.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${rig.base}/login`);
  await page.fill('#username', 'admin');
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${rig.base}/provider`);
  return page;
}

async function services(page: Page): Promise<Record<string, string>> {
  return Object.fromEntries(
    await page.$$eval('.services li', (items) => items.map((li) => [li.querySelector('.name')?.textContent ?? '', li.querySelector('.badge')?.textContent ?? ''])),
  );
}

async function axe(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the page's CSP (no inline script) does not block it.
  await page.evaluate(AXE);
  const result = (await page.evaluate(() => (globalThis as unknown as { axe: { run(): Promise<unknown> } }).axe.run())) as { violations: { id: string; impact: string | null; nodes: unknown[] }[] };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`);
}

async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(IMG_DIR, { recursive: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `${IMG_DIR}${name}-desktop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${IMG_DIR}${name}-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}

const FORBIDDEN = ['127.0.0', PRINTER_RECORDING, AP_RECORDING, UPS_RECORDING, 'head-nas-7f3', 'South Academy', 'south-secret-server', SCHOOL_B];

describe('school status page in Chromium', () => {
  it('shows each service in plain words, nothing internal, and passes axe', async () => {
    const page = await rig.browser.newPage();
    await page.goto(linkA);
    await waitFor(async () => Object.values(await services(page)).every((w) => w === 'Working') && Object.keys(await services(page)).length === 5, {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: 'every service working on the school page',
    });
    expect(await services(page)).toEqual({ Internet: 'Working', 'Wi-Fi': 'Working', Printers: 'Working', 'Servers and storage': 'Working', 'Power (UPS)': 'Working' });
    const html = await page.content();
    for (const word of FORBIDDEN) expect(html, `page shows ${word}`).not.toContain(word);
    expect(await page.textContent('main')).toContain('Switch firmware update');
    // Availability arrives within a few seconds of the first data.
    await waitFor(async () => (await page.textContent('main'))!.includes('This month so far'), { timeoutMs: 30_000, what: 'availability table' });
    expect(await axe(page)).toEqual([]);
    await screenshots(page, 'school-status');
    await page.close();
  }, 120_000);

  it('a device that goes down shows without a reload within the bound, then comes back', async () => {
    const page = await rig.browser.newPage();
    await page.goto(linkA);
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));
    const stoppedAt = Date.now();
    process.kill(rig.printerSim.pid, 'SIGSTOP');
    try {
      await waitFor(async () => (await services(page)).Printers === 'Not working', { timeoutMs: CHANGE_BOUND_MS, intervalMs: 200, what: 'Printers: Not working' });
      const downMs = Date.now() - stoppedAt;
      console.log(`printer down shown after ${downMs} ms`);
      expect((await services(page))['Wi-Fi']).toBe('Working');
      // Same document: the live script swapped the content in.
      expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(42);
      await waitFor(async () => (await page.textContent('main'))!.includes('office-printer is not working'), { timeoutMs: 10_000, what: 'the incident' });
      // Staff set a public note on the technician page; the school sees it.
      const staff = await signedIn();
      await staff.goto(`${rig.base}/provider/sites/${SCHOOL_A}`);
      await staff.fill('textarea[name=text]', 'A technician is on the way.');
      await staff.click('form[action$="/notes"] button');
      await staff.waitForURL(`${rig.base}/provider/sites/${SCHOOL_A}`);
      expect(await staff.inputValue('textarea[name=text]')).toBe('A technician is on the way.');
      await staff.context().close();
      await waitFor(async () => (await page.textContent('main'))!.includes('A technician is on the way.'), { timeoutMs: 10_000, what: 'the public note' });
      await screenshots(page, 'school-status-incident');
    } finally {
      process.kill(rig.printerSim.pid, 'SIGCONT');
    }
    const backAt = Date.now();
    await waitFor(async () => (await services(page)).Printers === 'Working', { timeoutMs: CHANGE_BOUND_MS, intervalMs: 200, what: 'Printers: Working again' });
    console.log(`printer back shown after ${Date.now() - backAt} ms`);
    await page.close();
  }, 120_000);

  it("school A's link never shows school B, whatever path or id is tried", async () => {
    const tokenA = new URL(linkA).pathname.split('/')[2]!;
    const tokenB = new URL(linkB).pathname.split('/')[2]!;
    const tries = [
      `/s/${tokenA}/${SCHOOL_B}`,
      `/s/${tokenA}?site=${SCHOOL_B}`,
      `/s/${tokenA}/sites/${SCHOOL_B}`,
      `/s/${tokenA}/../${SCHOOL_B}`,
      `/s/${tokenA}/%2e%2e/${SCHOOL_B}`,
      `/s/${tokenA}/reports/../../${SCHOOL_B}`,
      `/s/${tokenA}/%2F..%2F${SCHOOL_B}`,
      `/s/${tokenA}%00${SCHOOL_B}`,
      `/s/${tokenA}/reports/${SCHOOL_B}.pdf`,
      `/s/${tokenA}${SCHOOL_B}`,
      `/s/${tokenA.slice(0, 42)}`,
      `/s/${SCHOOL_B}`,
      `/provider/sites/${SCHOOL_B}`,
      `/s/${tokenA}/reports/2026-01.pdf`,
    ];
    for (const path of tries) {
      const res = await rawGet(path);
      expect(res.body, path).not.toContain('South Academy');
      expect(res.body, path).not.toContain('south-secret-server');
      expect([200, 303, 400, 404], path).toContain(res.status);
    }
    // B's own link does show B (the test above is not vacuous).
    expect((await rawGet(new URL(linkB).pathname)).body).toContain('South Academy');
  });

  it('a revoked link answers 404; a rotated one replaces the old', async () => {
    await rig.cli(['web', 'link', '--site', SCHOOL_A, '--revoke']);
    expect((await fetch(linkA)).status).toBe(404);
    const store = new WebStore(webFiles(rig.config));
    let rotated: string;
    try {
      rotated = `${rig.base}/s/${store.rotateLink(SCHOOL_A, Date.now())}`;
    } finally {
      store.close();
    }
    expect(rotated).not.toBe(linkA);
    expect((await fetch(linkA)).status).toBe(404);
    expect((await fetch(rotated)).status).toBe(200);
    linkA = rotated;
  });
});

describe('provider overview in Chromium', () => {
  it('without a session the overview redirects to the sign-in page, which passes axe', async () => {
    const page = await rig.browser.newPage();
    const res = await page.goto(`${rig.base}/provider`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(res!.status()).toBe(200);
    expect(await axe(page)).toEqual([]);
    await screenshots(page, 'sign-in');
    await page.close();
  });

  it('signed in: every school as a row, search, technician page with key numbers and Grafana; axe on each', async () => {
    const context = await rig.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${rig.base}/provider`);
    await page.fill('#username', 'admin');
    await page.fill('#password', 'wrong password');
    await page.click('button[type=submit]');
    expect(await page.textContent('.error')).toContain('wrong');
    await page.fill('#username', 'admin');
    await page.fill('#password', password!);
    await page.click('button[type=submit]');
    await page.waitForURL(`${rig.base}/provider`);
    const rows = await page.$$eval('tbody tr th', (ths) => ths.map((t) => t.textContent));
    expect(rows.sort()).toEqual(['North Primary School', 'South Academy']);
    expect(await axe(page)).toEqual([]);
    await screenshots(page, 'provider-overview');

    await page.fill('#q', 'south');
    await page.click('form.filters button');
    expect(await page.$$eval('tbody tr th', (ths) => ths.map((t) => t.textContent))).toEqual(['South Academy']);

    await page.goto(`${rig.base}/provider/sites/${SCHOOL_A}`);
    await waitFor(async () => {
      const main = (await page.textContent('main'))!;
      if (/battery \d+ %/.test(main) && /Wi-Fi clients/.test(main)) return true;
      throw new Error(main.replace(/\s+/g, ' ').slice(0, 800));
    }, {
      timeoutMs: 40_000,
      what: 'UPS charge and Wi-Fi clients on the technician page',
    });
    const text = (await page.textContent('main'))!;
    expect(text).toMatch(/latency [\d.]+ ms/);
    expect(await page.getAttribute('a[href*="/d/hm-school/"]', 'href')).toBe(`http://grafana.provider.example:3000/d/hm-school/school?var-site=${SCHOOL_A}`);
    expect(await axe(page)).toEqual([]);
    await screenshots(page, 'technician');
    await context.close();
  }, 60_000);

  it('a cross-site POST is refused, even from the same host on another port with the session cookie', async () => {
    const page = await signedIn();
    const context = page.context();
    const logouts: number[] = [];
    // The attacker's page: a form that posts to the overview's sign-out and note endpoints as soon as it loads.
    const evil = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end(
        `<form id="f" method="post" action="${rig.base}/provider/sites/${SCHOOL_A}/notes"><input name="alert" value="x"><input name="text" value="pwned"></form><script>document.getElementById('f').submit()</script>`,
      );
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    try {
      const responses: number[] = [];
      page.on('response', (r) => {
        if (r.url().includes('/notes')) responses.push(r.status());
      });
      await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
      await waitFor(() => responses.length > 0, { timeoutMs: 10_000, what: 'the cross-site POST answered' });
      expect(responses).toEqual([403]);
      logouts.push(1);
    } finally {
      await new Promise((r) => evil.close(r));
    }
    // Still signed in (nothing was changed by the forged request), and no note says "pwned".
    await page.goto(`${rig.base}/provider/sites/${SCHOOL_A}`);
    expect(new URL(page.url()).pathname).toBe(`/provider/sites/${SCHOOL_A}`);
    expect(await page.content()).not.toContain('pwned');
    await context.close();
  }, 60_000);
});
