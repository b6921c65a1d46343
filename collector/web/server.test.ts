import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, webServerRig } from './testing.ts';

let rig: Awaited<ReturnType<typeof webServerRig>>;
beforeAll(async () => {
  rig = await webServerRig();
});
afterAll(() => rig?.stop());

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${rig.server.url}${path}`, { headers, redirect: 'manual' });
const setCookies = (res: Response) => res.headers.getSetCookie().map((c) => c.split(';')[0]!);

async function signIn(): Promise<{ cookie: string; csrf: string }> {
  const form = await get('/login');
  const loginCsrf = /name="csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const res = await fetch(`${rig.server.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: setCookies(form).join('; '), origin: rig.server.url },
    body: new URLSearchParams({ csrf: loginCsrf, username: 'admin', password: PASSWORD, next: '/provider' }).toString(),
  });
  expect(res.status).toBe(303);
  const cookie = setCookies(res).find((c) => c.startsWith('hm_session='))!;
  const page = await (await get('/provider', { cookie })).text();
  return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(page)![1]! };
}

describe('web server', () => {
  it('school page by its link, with the security headers; unknown links 404', async () => {
    const res = await get(`/s/${rig.tokenA}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).toContain('North Primary');
    expect(html).not.toContain('South');
    expect(html).not.toMatch(/<script>|style=|\son[a-z]+=/);
    expect((await get(`/s/${rig.tokenA.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))}`)).status).toBe(404);
    expect((await get('/s/north')).status).toBe(404);
  });

  it('a revoked link 404s at once, a rotated one works', async () => {
    rig.store.revokeLink('south', 1);
    expect((await get(`/s/${rig.tokenB}`)).status).toBe(404);
    const token = rig.store.rotateLink('south', 2);
    expect((await get(`/s/${token}`)).status).toBe(200);
    expect((await get(`/s/${rig.tokenB}`)).status).toBe(404);
  });

  it('overview: redirect to sign-in without a session; in with the right password; wrong password is 401', async () => {
    const res = await get('/provider');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2Fprovider');
    const { cookie } = await signIn();
    expect(cookie).toMatch(/^hm_session=/);
    const page = await get('/provider', { cookie });
    expect(await page.text()).toContain('South Academy');
    const form = await get('/login');
    const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())![1]!;
    const wrong = await fetch(`${rig.server.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: setCookies(form).join('; ') },
      body: new URLSearchParams({ csrf, username: 'admin', password: 'nope' }).toString(),
    });
    expect(wrong.status).toBe(401);
  });

  it('session cookie is HttpOnly and SameSite=Strict; writes need the session token and the same origin', async () => {
    const form = await get('/login');
    expect(form.headers.getSetCookie()[0]).toMatch(/HttpOnly; SameSite=Strict/);
    const { cookie, csrf } = await signIn();
    const post = (body: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(`${rig.server.url}/provider/sites/north/notes`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers }, body: new URLSearchParams(body).toString() });
    expect((await post({ alert: 'alert-north', text: 'hi' })).status).toBe(403);
    expect((await post({ csrf, alert: 'alert-north', text: 'hi' }, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({ csrf, alert: 'alert-north', text: 'hi' }, { 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await post({ csrf, alert: 'alert-south', text: 'hi' })).status).toBe(404);
    expect(rig.store.notes('north').size).toBe(0);
    expect((await post({ csrf, alert: 'alert-north', text: 'Engineer booked for 2 pm.' }, { origin: rig.server.url, 'sec-fetch-site': 'same-origin' })).status).toBe(303);
    expect(rig.store.notes('north').get('alert-north')?.text).toBe('Engineer booked for 2 pm.');
  });

  it('bad addresses and methods are 4xx pages, not crashes', async () => {
    expect((await get('/s/%E0%A4%A')).status).toBe(400);
    expect((await get('/provider?q=%zz')).status).toBe(400);
    expect((await fetch(`${rig.server.url}/s/${rig.tokenA}`, { method: 'DELETE' })).status).toBe(405);
    expect((await get(`/${'a'.repeat(3000)}`)).status).toBe(414);
    expect((await get('/assets/app.css')).headers.get('content-type')).toContain('text/css');
    expect((await get(`/s/${rig.tokenA}/reports/2026-10.pdf`)).headers.get('content-type')).toBe('application/pdf');
    expect((await get(`/s/${rig.tokenA}/reports/2026-09.pdf`)).status).toBe(404);
  });
});
