import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { z } from 'zod';
import type { Logger } from '../../contract/index.ts';
import { maintenanceWindowSchema } from '../calendar/index.ts';
import { HttpError, SECURITY_HEADERS, readJson } from './http.ts';
import { NOTE_MAX, type ApiWindow, type WebStore } from './store.ts';

/** What the API needs from the running collector (a part of server.ts's WebModel). */
export interface ApiModel {
  siteExists(site: string): boolean;
  /** The site's device names (a window may cover only these). */
  siteDevices(site: string): readonly string[];
  /** The site an open alert belongs to. */
  alertSite(alertId: string): string | undefined;
  /** The site's API windows changed in the store: apply them (alerting, availability, the page). */
  maintenanceChanged(site: string): void;
}

const noteBody = z.strictObject({ text: z.string().max(NOTE_MAX, `at most ${NOTE_MAX} characters`) });

const ALLOW = { note: 'PUT, DELETE', windows: 'GET, POST', window: 'DELETE' } as const;

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

/** zod's first issue as one line: "start: a local date-time such as ...". */
function invalid(error: z.ZodError): HttpError {
  const issue = error.issues[0]!;
  return new HttpError(400, `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
}

const windowJson = (w: ApiWindow) => ({ id: w.id, site: w.site, ...w.window, by: w.by, at: new Date(w.at).toISOString() });

/**
 * The provider's JSON API (under /api/v1), for scripts and ticketing systems:
 *  PUT    /api/v1/incidents/<alert-id>/note          {"text": "..."}  the school's note on an open incident
 *  DELETE /api/v1/incidents/<alert-id>/note                          clears it
 *  GET    /api/v1/sites/<site>/maintenance                           the windows added here
 *  POST   /api/v1/sites/<site>/maintenance           {"name", "start", "end"[, "devices"]} or {"name", "weekly"}
 *  DELETE /api/v1/sites/<site>/maintenance/<id>
 * Authenticated only by `Authorization: Bearer <token>` (RFC 6750 §2.1; tokens from `web token add`). Cookies
 * are never read here, so a browser's session cannot be ridden from another site (CSRF); a cross-site page also
 * cannot add that header or send JSON without a CORS preflight, and this server grants none. Every answer is
 * JSON; every failure a 4xx with {"error"}.
 */
export async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, segments: readonly string[], o: { store: WebStore; model: ApiModel; log: Logger; now: () => number }): Promise<void> {
  try {
    await route(req, res, segments, o);
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    req.resume();
    sendJson(res, err.status, { error: err.message }, { ...err.headers, connection: 'close' });
  }
}

async function route(req: http.IncomingMessage, res: http.ServerResponse, segments: readonly string[], o: { store: WebStore; model: ApiModel; log: Logger; now: () => number }): Promise<void> {
  const { store, model, log, now } = o;
  const method = req.method ?? 'GET';
  // Who, before anything else is looked at: without a token, not even whether a site exists.
  const header = req.headers.authorization ?? '';
  const bearer = /^Bearer ([\x21-\x7e]{1,200})$/i.exec(header)?.[1];
  const by = bearer === undefined ? undefined : store.apiTokenName(bearer);
  if (by === undefined) {
    if (bearer !== undefined) log.warn({ address: req.socket.remoteAddress }, 'web api: token refused');
    throw new HttpError(401, 'A valid API token is needed: Authorization: Bearer <token> (hallmonitor-collector web token add).', {
      'www-authenticate': bearer === undefined ? 'Bearer realm="hallmonitor"' : 'Bearer realm="hallmonitor", error="invalid_token"',
    });
  }
  const [version, kind, id, part, extra] = segments.slice(1);
  if (version !== 'v1') throw new HttpError(404, 'No such API: the API is at /api/v1.');

  if (kind === 'incidents' && id !== undefined && part === 'note' && extra === undefined) {
    if (method !== 'PUT' && method !== 'DELETE') throw new HttpError(405, 'Method not allowed.', { allow: ALLOW.note });
    const site = model.alertSite(id);
    if (site === undefined) throw new HttpError(404, 'No open incident with this id.');
    let note = '';
    if (method === 'PUT') {
      const parsed = noteBody.safeParse(await readJson(req));
      if (!parsed.success) throw invalid(parsed.error);
      note = parsed.data.text.trim();
    }
    store.setNote({ alertId: id, site, text: note, by, at: now() });
    log.info({ site, alert: id, by, cleared: note === '' }, 'web api: public note set');
    if (note === '') return sendJson(res, 204, undefined);
    return sendJson(res, 200, { incident: id, site, text: note, by, at: new Date(now()).toISOString() });
  }

  if (kind === 'sites' && id !== undefined && part === 'maintenance' && segments.length <= 6) {
    if (!model.siteExists(id)) throw new HttpError(404, 'No such site.');
    if (extra === undefined) {
      if (method === 'GET' || method === 'HEAD') return sendJson(res, 200, { windows: store.windows(id).map(windowJson) });
      if (method !== 'POST') throw new HttpError(405, 'Method not allowed.', { allow: ALLOW.windows });
      const parsed = maintenanceWindowSchema.safeParse(await readJson(req));
      if (!parsed.success) throw invalid(parsed.error);
      const devices = model.siteDevices(id);
      const unknown = (parsed.data.devices ?? []).find((d) => !devices.includes(d));
      if (unknown !== undefined) throw new HttpError(400, `devices: "${unknown}" is not a device of this site.`);
      const w: ApiWindow = { id: randomBytes(8).toString('hex'), site: id, window: parsed.data, by, at: now() };
      if (!store.addWindow(w)) throw new HttpError(409, 'This site has as many planned windows from the API as it may: remove old ones first.');
      model.maintenanceChanged(id);
      log.info({ site: id, window: w.id, name: w.window.name, by }, 'web api: maintenance window added');
      return sendJson(res, 201, windowJson(w), { location: `/api/v1/sites/${encodeURIComponent(id)}/maintenance/${w.id}` });
    }
    if (method !== 'DELETE') throw new HttpError(405, 'Method not allowed.', { allow: ALLOW.window });
    if (!store.removeWindow(id, extra)) throw new HttpError(404, 'No such window at this site.');
    model.maintenanceChanged(id);
    log.info({ site: id, window: extra, by }, 'web api: maintenance window removed');
    return sendJson(res, 204, undefined);
  }
  throw new HttpError(404, 'No such API address.');
}
