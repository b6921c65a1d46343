import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../contract/index.ts';
import { CONNECTION_LIMITS, guardConnections, serverOptions } from '../http/guard.ts';
import { handleApi, type ApiModel } from './api.ts';
import { verifyNothing, verifyPassword } from '../agents/password.ts';
import { HttpError, SECURITY_HEADERS, cookies, parseTarget, readForm, refuseCrossSite, sameSecret } from './http.ts';
import { parseOverviewQuery, type OverviewQuery, type OverviewView, type TechnicianView } from './provider-view.ts';
import { ASSETS } from './render/assets.ts';
import { renderLogin, renderMessage, renderOverview, renderTechnician } from './render/provider.ts';
import { renderSchool } from './render/school.ts';
import type { SchoolView } from './school-view.ts';
import { LoginThrottle, Sessions, newSecret, type Session } from './session.ts';
import { NOTE_MAX, statusUrl, type WebStore } from './store.ts';

/** What the pages are made from; start.ts builds these from the running collector. */
export interface WebModel extends ApiModel {
  school(site: string): SchoolView;
  overview(query: OverviewQuery): OverviewView;
  technician(site: string): TechnicianView | undefined;
  /** The months whose report PDF the school page offers (YYYY-MM). */
  reportMonths(site: string): string[];
  reportPdf(site: string, month: string): Promise<Buffer>;
}

export interface WebServerOptions {
  host: string;
  port: number;
  /** https: cookies get Secure and the __Host- prefix. */
  secure: boolean;
  refreshSeconds: number;
  sessionHours: number;
  publicUrl: string;
  store: WebStore;
  model: WebModel;
  log: Logger;
  now: () => number;
}

export interface WebServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

const NOT_FOUND = () => new HttpError(404, 'There is no page here. If a link brought you here, it may have been replaced: ask your IT support provider for the current one.');

/**
 * The status pages and the overview on node:http. Routes:
 *  GET  /s/<token>                     a school's status page (the token is the only credential)
 *  GET  /s/<token>/reports/<YYYY-MM>.pdf  that school's monthly report
 *  GET  /login, POST /login, POST /logout
 *  GET  /provider                      every school (signed in)
 *  GET  /provider/sites/<id>           one school for the technician (signed in)
 *  POST /provider/sites/<id>/notes     the public note on an incident (signed in, same origin, CSRF token)
 *  GET  /assets/app.css, /assets/live.js
 *  /api/v1/...                         the JSON API for notes and maintenance (bearer token; see api.ts)
 * Everything else is 404; every failure is an HTML (or plain) 4xx/5xx, never a dropped connection.
 */
export async function startWebServer(o: WebServerOptions): Promise<WebServer> {
  const { store, model, log, now } = o;
  const sessions = new Sessions(o.sessionHours * 3_600_000);
  const throttle = new LoginThrottle();
  const sessionCookie = o.secure ? '__Host-hm_session' : 'hm_session';
  const loginCookie = o.secure ? '__Host-hm_login' : 'hm_login';
  const cookieAttrs = `Path=/; HttpOnly; SameSite=Strict${o.secure ? '; Secure' : ''}`;

  const send = (res: http.ServerResponse, status: number, body: string | Buffer, type = 'text/html; charset=utf-8', headers: Record<string, string | string[]> = {}) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'cache-control': 'no-store', 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...headers });
    res.end(res.req.method === 'HEAD' ? undefined : body);
  };
  const redirect = (res: http.ServerResponse, to: string, headers: Record<string, string | string[]> = {}) => send(res, 303, '', 'text/plain; charset=utf-8', { location: to, ...headers });

  const signedIn = (req: http.IncomingMessage): { id: string; session: Session } | undefined => {
    const id = cookies(req).get(sessionCookie);
    const session = sessions.get(id, now());
    if (id === undefined || session === undefined) return undefined;
    // Removed from the CLI: signed out at the next request.
    if (store.user(session.user) === undefined) {
      sessions.endUser(session.user);
      return undefined;
    }
    return { id, session };
  };

  function requireSession(req: http.IncomingMessage, res: http.ServerResponse, path: string): Session | undefined {
    const s = signedIn(req)?.session;
    if (s === undefined) redirect(res, `/login?next=${encodeURIComponent(path)}`);
    return s;
  }

  const safeNext = (next: string | null | undefined) => (next && /^\/provider(\/[A-Za-z0-9_/-]*)?(\?[A-Za-z0-9_=&%+.-]*)?$/.test(next) ? next : '/provider');

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const { segments, query, path } = parseTarget(req.url);
    const reading = method === 'GET' || method === 'HEAD';
    const [first, second, third, fourth] = segments;

    if (first === 'api') return handleApi(req, res, segments, { store, model, log, now });

    if (first === 'assets' && segments.length === 2) {
      if (!reading) throw new HttpError(405, 'Method not allowed.', { allow: 'GET, HEAD' });
      const asset = ASSETS.get(second!);
      if (asset === undefined) throw NOT_FOUND();
      if (req.headers['if-none-match'] === asset.etag) return void res.writeHead(304, { ...SECURITY_HEADERS, etag: asset.etag }).end();
      return send(res, 200, asset.body, asset.type, { 'cache-control': 'no-cache', etag: asset.etag });
    }

    if (first === 's' && second !== undefined) {
      if (!reading) throw new HttpError(405, 'Method not allowed.', { allow: 'GET, HEAD' });
      const site = store.siteOfToken(second);
      if (site === undefined || !model.siteExists(site)) throw NOT_FOUND();
      if (segments.length === 2) return send(res, 200, renderSchool(model.school(site), o.refreshSeconds));
      const month = /^(\d{4}-\d{2})\.pdf$/.exec(fourth ?? '')?.[1];
      if (segments.length === 4 && third === 'reports' && month !== undefined && model.reportMonths(site).includes(month)) {
        const pdf = await model.reportPdf(site, month);
        return send(res, 200, pdf, 'application/pdf', { 'content-disposition': `inline; filename="report-${month}.pdf"` });
      }
      throw NOT_FOUND();
    }

    if (first === 'login' && segments.length === 1) {
      if (reading) {
        const csrf = newSecret();
        return send(res, 200, renderLogin({ csrf, next: safeNext(query.get('next')) }), undefined, { 'set-cookie': `${loginCookie}=${csrf}; ${cookieAttrs}; Max-Age=3600` });
      }
      if (method !== 'POST') throw new HttpError(405, 'Method not allowed.', { allow: 'GET, HEAD, POST' });
      refuseCrossSite(req);
      const form = await readForm(req);
      const expected = cookies(req).get(loginCookie);
      if (expected === undefined || !sameSecret(form.get('csrf') ?? '', expected)) throw new HttpError(403, 'This sign-in form has expired. Open the sign-in page again.');
      const address = req.socket.remoteAddress ?? 'unknown';
      const next = safeNext(form.get('next'));
      const again = (status: number, error: string) => {
        const csrf = newSecret();
        send(res, status, renderLogin({ csrf, next, error }), undefined, { 'set-cookie': `${loginCookie}=${csrf}; ${cookieAttrs}; Max-Age=3600` });
      };
      if (throttle.blocked(address, now())) return again(429, 'Too many failed sign-ins from here. Wait a few minutes and try again.');
      const name = (form.get('username') ?? '').slice(0, 200);
      const password = (form.get('password') ?? '').slice(0, 1_024);
      const user = store.user(name);
      const ok = user === undefined ? await verifyNothing(password) : await verifyPassword(user, password);
      if (!ok) {
        throttle.failed(address, now());
        log.warn({ user: name.slice(0, 64), address }, 'web: sign-in refused');
        return again(401, 'User name or password is wrong.');
      }
      throttle.succeeded(address);
      const old = cookies(req).get(sessionCookie);
      sessions.end(old);
      const { id } = sessions.create(name, now());
      log.info({ user: name }, 'web: signed in');
      return redirect(res, next, { 'set-cookie': [`${sessionCookie}=${id}; ${cookieAttrs}; Max-Age=${Math.round(o.sessionHours * 3600)}`, `${loginCookie}=; ${cookieAttrs}; Max-Age=0`] });
    }

    if (first === 'logout' && segments.length === 1) {
      if (method !== 'POST') throw new HttpError(405, 'Method not allowed.', { allow: 'POST' });
      refuseCrossSite(req);
      const form = await readForm(req);
      const current = signedIn(req);
      if (current !== undefined) {
        if (!sameSecret(form.get('csrf') ?? '', current.session.csrf)) throw new HttpError(403, 'Refused: this form did not come from your session.');
        sessions.end(current.id);
      }
      return redirect(res, '/login', { 'set-cookie': `${sessionCookie}=; ${cookieAttrs}; Max-Age=0` });
    }

    if (first === 'provider') {
      if (segments.length === 1) {
        if (!reading) throw new HttpError(405, 'Method not allowed.', { allow: 'GET, HEAD' });
        const s = requireSession(req, res, path);
        if (s === undefined) return;
        return send(res, 200, renderOverview(model.overview(parseOverviewQuery(query)), { user: s.user, csrf: s.csrf, refreshSeconds: o.refreshSeconds }));
      }
      if (second === 'sites' && third !== undefined && (segments.length === 3 || (segments.length === 4 && fourth === 'notes'))) {
        if (segments.length === 3 && !reading) throw new HttpError(405, 'Method not allowed.', { allow: 'GET, HEAD' });
        if (segments.length === 4 && method !== 'POST') throw new HttpError(405, 'Method not allowed.', { allow: 'POST' });
        if (segments.length === 4) refuseCrossSite(req);
        const s = requireSession(req, res, segments.length === 3 ? path : '/provider');
        if (s === undefined) return;
        const view = model.technician(third);
        if (view === undefined) throw NOT_FOUND();
        if (segments.length === 3) {
          const notes = new Map([...store.notes(third)].map(([k, n]) => [k, n.text]));
          const token = store.currentLink(third);
          const statusLink = token === undefined ? undefined : statusUrl(o.publicUrl, token);
          return send(res, 200, renderTechnician(view, { user: s.user, csrf: s.csrf, refreshSeconds: o.refreshSeconds, notes, statusLink }));
        }
        const form = await readForm(req);
        if (!sameSecret(form.get('csrf') ?? '', s.csrf)) throw new HttpError(403, 'Refused: this form did not come from your session.');
        const alert = form.get('alert') ?? '';
        if (model.alertSite(alert) !== third) throw new HttpError(404, 'That alert is not open at this school.');
        const text = (form.get('text') ?? '').trim();
        if (text.length > NOTE_MAX) throw new HttpError(400, `A note is at most ${NOTE_MAX} characters.`);
        store.setNote({ alertId: alert, site: third, text, by: s.user, at: now() });
        log.info({ site: third, alert, by: s.user }, 'web: public note set');
        return redirect(res, `/provider/sites/${encodeURIComponent(third)}`);
      }
      throw NOT_FOUND();
    }

    // Browsers ask for it on their own; an empty answer saves a 404 in every console.
    if (segments.length === 1 && first === 'favicon.ico' && reading) return void res.writeHead(204, { ...SECURITY_HEADERS, 'cache-control': 'max-age=86400' }).end();

    if (segments.length === 1 && first === '') {
      if (!reading) throw new HttpError(405, 'Method not allowed.', { allow: 'GET, HEAD' });
      return redirect(res, '/provider');
    }
    throw NOT_FOUND();
  }

  const server = http.createServer({ maxHeaderSize: 8 * 1024, ...serverOptions(CONNECTION_LIMITS) }, (req, res) => {
    route(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) log.error({ err: (err as Error)?.message }, 'web: request failed');
      if (res.headersSent) return void res.destroy();
      const title = status === 404 ? 'Page not found' : status >= 500 ? 'Something went wrong' : 'Request refused';
      const text = status >= 500 ? 'The page could not be made just now. Try again in a minute.' : (err as HttpError).message;
      // Drain what the client still sends, so it gets the answer rather than a reset.
      req.resume();
      send(res, status, renderMessage(title, text), undefined, err instanceof HttpError ? { ...err.headers, connection: 'close' } : { connection: 'close' });
    });
  });
  // Slow and numerous clients (slowloris): the same limits as the acknowledgement endpoint (http/guard.ts).
  guardConnections(server, CONNECTION_LIMITS, () => undefined);
  server.maxHeadersCount = 100;
  // A request node cannot parse (bad request line, header, chunking): a 400, never an exception.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (socket.writable && !(socket as { _httpMessage?: unknown })._httpMessage) {
      socket.end(`HTTP/1.1 ${err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    } else socket.destroy();
  });

  // CONNECT goes to its own event, and without a listener node drops the connection without a word.
  server.on('connect', (_req: http.IncomingMessage, socket: import('node:stream').Duplex) => {
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nallow: GET, HEAD, POST\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  log.info({ host: o.host, port, publicUrl: o.publicUrl }, 'web: status pages listening');
  return {
    port,
    url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
