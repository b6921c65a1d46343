import { mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../collector/agents/password.ts';
import { WebStore, webFiles } from '../../collector/web/store.ts';
import { waitFor } from '../harness/index.ts';
import { AP_RECORDING, PRINTER_RECORDING, SCHOOL_A, SCHOOL_B, SCHOOL_C, UPS_RECORDING, startWebRig, type WebRig } from './rig.ts';

/**
 * The pages in Debian's Chromium against a real collector, InfluxDB, agent and snmpsimd. One browser, one
 * collector; the checks that do not change the fleet run at once (each in its own page), then the printer is
 * taken down and brought back. The CLI calls (each a process start of several seconds on a loaded machine) run
 * beside the rest instead of before it.
 */
const AXE = readFileSync(fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url)), 'utf8');
const IMG_DIR = fileURLToPath(new URL('../../docs/img/', import.meta.url));
/** A device that stops answering shows within the agent's poll (2 s), its timeout, the engine's turn and one refresh; generous for 2 shared cores. */
const CHANGE_BOUND_MS = 30_000;
const PHONE_WIDTH = 390;
/** A local date-time in the schools' zone (the default, Europe/London), as a maintenance window takes it. */
const local = (ms: number) => new Date(ms).toLocaleString('sv-SE', { timeZone: 'Europe/London' }).replace(' ', 'T').slice(0, 16);

let rig: WebRig;
let linkA: string;
let linkB: string;
let linkC: string;
let apiToken: string;
const startedAt = Date.now();
const PASSWORD = 'a long passphrase for the admin';

beforeAll(async () => {
  rig = await startWebRig();
  // Made in-process: a CLI start costs up to a minute on a loaded machine, and the CLI has its own test below.
  const store = new WebStore(webFiles(rig.config));
  try {
    store.setUser('admin', await hashPassword(PASSWORD), Date.now());
    linkA = `${rig.base}/s/${store.ensureLink(SCHOOL_A, Date.now())}`;
    linkB = `${rig.base}/s/${store.ensureLink(SCHOOL_B, Date.now())}`;
    linkC = `${rig.base}/s/${store.ensureLink(SCHOOL_C, Date.now())}`;
    apiToken = store.addApiToken('helpdesk', Date.now());
  } finally {
    store.close();
  }
}, 240_000);

afterAll(async () => {
  await rig?.stop();
  console.log(`status pages test: ${((Date.now() - startedAt) / 1000).toFixed(1)} s from start to stop`);
}, 60_000);

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

const api = (path: string, method: string, body?: unknown) =>
  fetch(`${rig.base}/api/v1${path}`, { method, headers: { authorization: `Bearer ${apiToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

/** A fresh browser context signed in as the provider's admin. */
async function signedIn(): Promise<Page> {
  const context = await rig.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${rig.base}/login`);
  await page.fill('#username', 'admin');
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(`${rig.base}/provider`);
  return page;
}

async function services(page: Page): Promise<Record<string, string>> {
  return Object.fromEntries(
    await page.$$eval('.services li', (items) => items.map((li) => [li.querySelector('.name')?.textContent ?? '', li.querySelector('.badge')?.textContent ?? ''])),
  );
}

const mainText = async (page: Page) => ((await page.textContent('main')) ?? '').replace(/\s+/g, ' ');

async function axe(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the page's CSP (no inline script) does not block it.
  await page.evaluate(AXE);
  const result = (await page.evaluate(() => (globalThis as unknown as { axe: { run(): Promise<unknown> } }).axe.run())) as { violations: { id: string; impact: string | null; nodes: unknown[] }[] };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`);
}

/** What a screen reader needs from every page: language, one h1, the main landmark, the live region. */
async function screenReaderBasics(page: Page): Promise<void> {
  expect(await page.getAttribute('html', 'lang')).toBe('en');
  expect(await page.locator('h1').count()).toBe(1);
  expect(await page.locator('main#main').count()).toBe(1);
  expect(await page.getAttribute('#announce', 'aria-live')).toBe('polite');
}

/** Desktop and phone screenshots; at phone width nothing may need sideways scrolling. */
async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(IMG_DIR, { recursive: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `${IMG_DIR}${name}-desktop.png`, fullPage: true });
  await page.setViewportSize({ width: PHONE_WIDTH, height: 844 });
  expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth), `${name} is wider than a phone`).toBeLessThanOrEqual(PHONE_WIDTH);
  await page.screenshot({ path: `${IMG_DIR}${name}-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}

const FORBIDDEN = ['127.0.0', PRINTER_RECORDING, AP_RECORDING, UPS_RECORDING, 'head-nas-7f3', 'South Academy', 'south-secret-server', SCHOOL_B, 'West Infants'];
const ALL_WORKING = { Internet: 'Working', 'Wi-Fi': 'Working', Printers: 'Working', 'Servers and storage': 'Working', 'Power (UPS)': 'Working', Phones: 'Working' };

describe.concurrent('first look (in parallel; nothing here changes the fleet)', () => {
  it('school page: each service in plain words (phones as listed), the school day, availability, report PDFs, nothing internal; axe', async () => {
    const page = await rig.browser.newPage();
    await page.goto(linkA);
    await waitFor(async () => JSON.stringify(await services(page)) === JSON.stringify(ALL_WORKING), { timeoutMs: 90_000, intervalMs: 500, what: 'every service working on the school page' });
    const html = await page.content();
    for (const word of FORBIDDEN) expect(html, `page shows ${word}`).not.toContain(word);
    const text = await mainText(page);
    expect(text).toContain('Switch firmware update');
    // The school's day from its calendar (default hours Monday to Friday, 08:00-16:30).
    expect(text).toMatch(/School is open now, until \d\d:\d\d\.|Not open yet today\.|Closed now\.|School holiday\.|Closed today/);
    // Availability arrives within a few seconds of the first data, this month and last.
    await waitFor(async () => (await mainText(page)).includes('This month so far'), { timeoutMs: 30_000, what: 'availability table' });
    const rows = await page.$$eval('table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('th,td')].map((c) => c.textContent)));
    expect(rows.map((r) => r[0])).toEqual(expect.arrayContaining(['Internet', 'Printers', 'Phones']));
    expect(rows.every((r) => r.length === 3)).toBe(true);
    expect(rows.some((r) => /\d+(\.\d+)? %/.test(r[1] ?? ''))).toBe(true);
    // The last three months' report PDFs, each made from InfluxDB for this school only.
    const hrefs = await page.$$eval('a[href$=".pdf"]', (as) => as.map((a) => a.getAttribute('href')!));
    expect(hrefs).toHaveLength(3);
    const pdf = await fetch(`${rig.base}${hrefs[0]}`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    await screenReaderBasics(page);
    expect(await axe(page)).toEqual([]);
    await screenshots(page, 'school-status');
    await page.close();
  }, 240_000);

  it("school A's link never shows school B, whatever path or id is tried; the 404 page passes axe", async () => {
    const tokenA = new URL(linkA).pathname.split('/')[2]!;
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
      `/api/v1/sites/${SCHOOL_B}/maintenance`,
    ];
    for (const path of tries) {
      const res = await rawGet(path);
      expect(res.body, path).not.toContain('South Academy');
      expect(res.body, path).not.toContain('south-secret-server');
      expect([200, 303, 400, 401, 404], path).toContain(res.status);
    }
    // B's own link does show B (the test above is not vacuous).
    expect((await rawGet(new URL(linkB).pathname)).body).toContain('South Academy');
    const page = await rig.browser.newPage();
    expect((await page.goto(`${rig.base}/s/${tokenA.slice(0, 42)}`))!.status()).toBe(404);
    expect(await axe(page)).toEqual([]);
    await page.close();
  }, 240_000);

  it('the CLI prints the link in force and adds a user who can sign in; a link it revokes answers 404 at once; a rotated one replaces it', async () => {
    const [printed, added] = await Promise.all([rig.cli(['web', 'link', '--site', SCHOOL_A]), rig.cli(['web', 'user', 'add', '--name', 'sam'])]);
    expect(printed.trim()).toBe(linkA);
    const form = await fetch(`${rig.base}/login`);
    const signIn = await fetch(`${rig.base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; '), origin: rig.base },
      body: new URLSearchParams({ csrf: /name="csrf" value="([^"]+)"/.exec(await form.text())![1]!, username: 'sam', password: /password (\S+)/.exec(added)![1]!, next: '/provider' }).toString(),
    });
    expect([signIn.status, signIn.headers.get('location')]).toEqual([303, '/provider']);
    expect((await fetch(linkC)).status).toBe(200);
    expect(await rig.cli(['web', 'link', '--site', SCHOOL_C, '--revoke'])).toContain('revoked');
    expect((await fetch(linkC)).status).toBe(404);
    const store = new WebStore(webFiles(rig.config));
    let rotated: string;
    try {
      rotated = `${rig.base}/s/${store.rotateLink(SCHOOL_C, Date.now())}`;
    } finally {
      store.close();
    }
    expect(rotated).not.toBe(linkC);
    expect((await fetch(linkC)).status).toBe(404);
    expect((await fetch(rotated)).status).toBe(200);
  }, 240_000);

  it('without a session the overview redirects to the sign-in page, which passes axe', async () => {
    const page = await rig.browser.newPage();
    const res = await page.goto(`${rig.base}/provider`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(res!.status()).toBe(200);
    await screenReaderBasics(page);
    expect(await axe(page)).toEqual([]);
    await screenshots(page, 'sign-in');
    await page.close();
  }, 240_000);

  it('signed in: every school as a row, filter, sort and search; technician page with key numbers and Grafana; axe on each', async () => {
    const context = await rig.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${rig.base}/provider`);
    await page.fill('#username', 'admin');
    await page.fill('#password', 'wrong password');
    await page.click('button[type=submit]');
    expect(await page.textContent('.error')).toContain('wrong');
    await page.fill('#username', 'admin');
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${rig.base}/provider`);
    const names = () => page.$$eval('tbody tr th', (ths) => ths.map((t) => t.textContent));
    expect((await names()).sort()).toEqual(['North Primary School', 'South Academy', 'West Infants']);
    await screenReaderBasics(page);
    expect(await axe(page)).toEqual([]);
    await screenshots(page, 'provider-overview');

    await page.fill('#q', 'south');
    // The click only starts the form's navigation: read the rows once the filtered page has loaded, not the old one.
    await Promise.all([page.waitForURL(/[?&]q=south/), page.click('form.filters button')]);
    expect(await names()).toEqual(['South Academy']);
    await page.goto(`${rig.base}/provider?sort=name`);
    expect(await names()).toEqual(['North Primary School', 'South Academy', 'West Infants']);
    // Filtered by state: once A's devices have answered it is the only school working (B and C have no agent).
    await waitFor(
      async () => {
        await page.goto(`${rig.base}/provider?state=working`);
        return JSON.stringify(await names()) === JSON.stringify(['North Primary School']);
      },
      { timeoutMs: 90_000, intervalMs: 1_000, what: 'only A in the working filter' },
    );
    await page.goto(`${rig.base}/provider?state=working&q=south`);
    expect(await names()).toEqual([]);
    await page.goto(`${rig.base}/provider`);

    await page.click(`a[href="/provider/sites/${SCHOOL_A}"]`);
    await page.waitForURL(`${rig.base}/provider/sites/${SCHOOL_A}`);
    await waitFor(
      async () => {
        const main = await mainText(page);
        if (/battery \d+ %/.test(main) && /Wi-Fi clients/.test(main) && /latency [\d.]+ ms/.test(main)) return true;
        throw new Error(main.slice(0, 800));
      },
      { timeoutMs: 120_000, what: 'UPS charge, Wi-Fi clients and latency on the technician page' },
    );
    const text = await mainText(page);
    // The Brother's toner, as its Printer-MIB reports it (a level or its state).
    expect(text).toMatch(/black (\d+ %|\w+)/i);
    expect(text).toContain('office-pbx');
    expect(await page.getAttribute('a[href*="/d/hm-school/"]', 'href')).toBe(`http://grafana.provider.example:3000/d/hm-school/school?var-site=${SCHOOL_A}`);
    await screenReaderBasics(page);
    expect(await axe(page)).toEqual([]);
    await screenshots(page, 'technician');
    await context.close();
  }, 240_000);

  it('a cross-site POST is refused, even from the same host on another port with the session cookie', async () => {
    const page = await signedIn();
    const context = page.context();
    // The attacker's page: a form that posts to the note endpoint as soon as it loads.
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
    } finally {
      await new Promise((r) => evil.close(r));
    }
    // Still signed in (nothing was changed by the forged request), and no note says "pwned".
    await page.goto(`${rig.base}/provider/sites/${SCHOOL_A}`);
    expect(new URL(page.url()).pathname).toBe(`/provider/sites/${SCHOOL_A}`);
    expect(await page.content()).not.toContain('pwned');
    await context.close();
  }, 240_000);

  it('a maintenance window added through the API shows on the school page, its name as text; removed, it goes', async () => {
    const page = await rig.browser.newPage();
    await page.goto(linkA);
    const name = 'Printer swap <b>bold</b> & "quoted"';
    // Tomorrow, well away from the printer test below (a window in force would make the printer "under maintenance").
    const day = local(Date.now() + 86_400_000).slice(0, 10);
    const added = await api(`/sites/${SCHOOL_A}/maintenance`, 'POST', { name, devices: ['office-printer'], start: `${day}T10:00`, end: `${day}T11:00` });
    expect(added.status).toBe(201);
    const { id } = (await added.json()) as { id: string };
    await waitFor(async () => (await mainText(page)).includes(name), { timeoutMs: 20_000, what: 'the API window on the school page' });
    expect(await page.locator('main b').count()).toBe(0);
    expect(await mainText(page)).toContain(`${name}: tomorrow 10:00 to tomorrow 11:00. Affects: office-printer.`);
    expect((await api(`/sites/${SCHOOL_A}/maintenance/${id}`, 'DELETE')).status).toBe(204);
    await waitFor(async () => !(await mainText(page)).includes('Printer swap'), { timeoutMs: 20_000, what: 'the window gone' });
    await page.close();
  }, 240_000);
});

describe('a device goes down and comes back', () => {
  it('shows without a reload within the bound, with since-when, who handles it and the provider\'s note (escaped); an API window in force makes it "under maintenance"', async () => {
    const page = await rig.browser.newPage();
    await page.goto(linkA);
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));
    const stoppedAt = Date.now();
    process.kill(rig.printerSim.pid, 'SIGSTOP');
    try {
      await waitFor(async () => (await services(page)).Printers === 'Not working', { timeoutMs: CHANGE_BOUND_MS, intervalMs: 200, what: 'Printers: Not working' });
      console.log(`printer down shown after ${Date.now() - stoppedAt} ms`);
      expect((await services(page))['Wi-Fi']).toBe('Working');
      // Same document: the live script swapped the content in.
      expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(42);
      await waitFor(async () => (await mainText(page)).includes('office-printer is not working'), { timeoutMs: 15_000, what: 'the incident' });
      expect(await page.textContent('.services li.b-not-working .since')).toMatch(/^since (yesterday )?\d\d:\d\d$/);
      expect(await mainText(page)).toContain('Not yet picked up by a technician.');

      const alert = rig.collector.alerts.alerts().find((a) => a.site === SCHOOL_A && a.device === 'office-printer' && a.rule === 'device-down' && a.state !== 'resolved')!;
      expect(alert).toBeDefined();
      // Acknowledged by a technician: the school sees who.
      await rig.collector.alerts.acknowledge(alert.id, 'Sam Patel', Date.now());
      await waitFor(async () => (await mainText(page)).includes('Being handled by Sam Patel'), { timeoutMs: 15_000, what: 'acknowledged-by' });

      // A note with markup and script, set through the API: shown as text, nothing of it runs or becomes an element.
      const hostile = '<img src=x onerror="globalThis.pwned=1"><script>globalThis.pwned=1</script> Engineer & parts "today"';
      expect((await api(`/incidents/${alert.id}/note`, 'PUT', { text: hostile })).status).toBe(200);
      await waitFor(async () => (await page.textContent('.note')) === hostile, { timeoutMs: 15_000, what: 'the API note, as text' });
      expect(await page.locator('main img, main script').count()).toBe(0);
      expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();

      // Staff replace it on the technician page; the school sees that.
      const staff = await signedIn();
      await staff.goto(`${rig.base}/provider/sites/${SCHOOL_A}`);
      await staff.fill('textarea[name=text]', 'A technician is on the way.');
      await staff.click('form[action$="/notes"] button');
      await staff.waitForURL(`${rig.base}/provider/sites/${SCHOOL_A}`);
      expect(await staff.inputValue('textarea[name=text]')).toBe('A technician is on the way.');
      await staff.context().close();
      await waitFor(async () => (await page.textContent('.note')) === 'A technician is on the way.', { timeoutMs: 15_000, what: 'the public note' });
      await screenReaderBasics(page);
      expect(await axe(page)).toEqual([]);
      await screenshots(page, 'school-status-incident');

      // Planned work declared now through the API: the printer is "under maintenance", not "not working"; removed, not working again.
      const added = await api(`/sites/${SCHOOL_A}/maintenance`, 'POST', { name: 'Printer repair', devices: ['office-printer'], start: local(Date.now() - 3_600_000), end: local(Date.now() + 3_600_000) });
      expect(added.status).toBe(201);
      await waitFor(async () => (await services(page)).Printers === 'Under maintenance', { timeoutMs: 15_000, what: 'Printers: Under maintenance' });
      expect(await mainText(page)).toContain('Printer repair (now)');
      expect((await api(`/sites/${SCHOOL_A}/maintenance/${((await added.json()) as { id: string }).id}`, 'DELETE')).status).toBe(204);
      await waitFor(async () => (await services(page)).Printers === 'Not working', { timeoutMs: 15_000, what: 'Printers: Not working again' });
    } finally {
      process.kill(rig.printerSim.pid, 'SIGCONT');
    }
    const backAt = Date.now();
    await waitFor(async () => (await services(page)).Printers === 'Working', { timeoutMs: CHANGE_BOUND_MS, intervalMs: 200, what: 'Printers: Working again' });
    console.log(`printer back shown after ${Date.now() - backAt} ms`);
    await page.close();
  }, 240_000);
});
