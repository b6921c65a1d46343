import { createHash, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { Logger } from '../../../contract/index.ts';
import { readBody as readLimited, type RequestTarget } from '../../http/request.ts';
import { startSafeServer } from '../../http/server.ts';
import type { AckLinkParams, AckLinks } from './link.ts';
import { NAME_MAX, confirmForm, page } from './pages.ts';

/** What the alert engine answers to an acknowledgement. */
export type AcknowledgeOutcome = 'acknowledged' | 'already' | 'unknown' | 'resolved';

/** Supplied by the alert engine: records who acknowledged and when, and stops repeats and escalation. */
export type Acknowledge = (alertId: string, by: string, at: number) => Promise<AcknowledgeOutcome>;

export interface AckServerOptions {
  host: string;
  /** 0: any free port (tests). */
  port: number;
  links: AckLinks;
  acknowledge: Acknowledge;
  /** Bearer token for `POST /api/alerts/<id>/ack`; absent: that route answers 404. */
  apiToken?: string;
  /** Optional: a line describing the alert on the confirm page ("North Primary is offline since 08:42"). */
  describe?: (alertId: string) => Promise<string | undefined>;
  log: Logger;
  now?: () => number;
}

export interface AckServer {
  readonly port: number;
  /** http://host:port, for tests and logs; links use the configured public URL. */
  readonly url: string;
  close(): Promise<void>;
}

const BODY_MAX = 8 * 1024;
/**
 * No scripts, no framing (a confirm button inside someone else's frame is clickjacking), the page never
 * cached, and no Referer: the page's URL holds the link's signature.
 */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

const REFUSED = {
  malformed: { status: 400, title: 'Not an acknowledgement link', text: 'This address is incomplete. Open the link from the notification again, or copy all of it.' },
  tampered: { status: 403, title: 'This link is not valid', text: 'The link was changed or was not made by this hallmonitor. Nothing was acknowledged. Use the link from the notification as it came, or acknowledge from the command line.' },
  expired: { status: 403, title: 'This link has expired', text: 'Acknowledgement links are valid for a limited time. Nothing was acknowledged. Acknowledge from a newer notification about this alert or from the command line.' },
} as const;

const OUTCOME_PAGE: Record<AcknowledgeOutcome, { status: number; title: string; text: string }> = {
  acknowledged: { status: 200, title: 'Acknowledged', text: 'Thank you. Reminders and escalation for this alert stop; you will still hear when it is resolved.' },
  already: { status: 200, title: 'Already acknowledged', text: 'Someone acknowledged this alert before you. Nothing changed.' },
  resolved: { status: 200, title: 'Already resolved', text: 'This alert is resolved; there is nothing to acknowledge.' },
  unknown: { status: 404, title: 'Alert not found', text: 'hallmonitor does not know this alert (any more). Nothing was acknowledged.' },
};

/** Constant-time comparison of a presented token with the configured one (hashed first: equal lengths). */
function tokenMatches(presented: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

const readBody = (req: http.IncomingMessage) => readLimited(req, BODY_MAX);

const linkParams = (p: URLSearchParams): AckLinkParams => ({ a: p.get('a'), e: p.get('e'), c: p.get('c'), s: p.get('s') });

/**
 * The acknowledgement endpoint (node:http):
 * - `GET /ack?a&e&c&s` checks the signed link and shows a confirm page; it does not acknowledge. Mail
 *   scanners (Microsoft Defender Safe Links, Mimecast, Proofpoint) and link previews fetch every URL in a
 *   message before anyone reads it; a GET that acknowledged would silence the alert before a human saw it.
 *   HTTP also defines GET as safe (RFC 9110 §9.2.1).
 * - `POST /ack` (the confirm form, carrying the same signed parameters) acknowledges.
 * - `POST /api/alerts/<id>/ack` with `Authorization: Bearer <token>` (RFC 6750) for scripts; JSON in and out.
 */
export async function startAckServer(options: AckServerOptions): Promise<AckServer> {
  const { links, acknowledge, log } = options;
  const now = options.now ?? Date.now;

  const send = (res: http.ServerResponse, status: number, body: string, type = 'text/html; charset=utf-8', headers: Record<string, string> = {}) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, ...headers }).end(body);
  };
  const html = (res: http.ServerResponse, status: number, title: string, text: string, extra = '') => send(res, status, page(title, [text], extra));
  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    send(res, status, `${JSON.stringify(body)}\n`, 'application/json', headers);

  async function link(req: http.IncomingMessage, res: http.ServerResponse, target: RequestTarget): Promise<void> {
    const params = req.method === 'POST' ? new URLSearchParams(await readBody(req)) : target.query;
    const check = links.verify(linkParams(params));
    if (!check.ok) {
      log.warn({ why: check.why, alert: params.get('a') ?? undefined, method: req.method }, 'ack: link refused');
      const r = REFUSED[check.why];
      return html(res, r.status, r.title, r.text);
    }
    const { alertId, contact } = check.claims;
    if (req.method === 'GET') {
      const about = (await options.describe?.(alertId).catch(() => undefined)) ?? `Alert ${alertId}`;
      const fields = Object.fromEntries([...params].filter(([k]) => ['a', 'e', 'c', 's'].includes(k)));
      const who = contact !== undefined ? ` as ${contact}` : '';
      return send(res, 200, page('Acknowledge this alert?', [about, `Acknowledging${who} stops reminders and escalation until the alert is resolved.`], confirmForm(fields, contact === undefined)));
    }
    // A name typed on the confirm page is only a label; the signed link is what authorises.
    const typed = params.get('by')?.trim().slice(0, NAME_MAX);
    const outcome = await record(alertId, contact ?? (typed || 'acknowledge link'), 'link');
    const p = OUTCOME_PAGE[outcome];
    html(res, p.status, p.title, p.text);
  }

  async function api(req: http.IncomingMessage, res: http.ServerResponse, alertId: string): Promise<void> {
    const presented = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (presented === undefined || !tokenMatches(presented, options.apiToken!)) {
      log.warn({ alert: alertId, why: presented === undefined ? 'no token' : 'wrong token' }, 'ack: API request refused');
      return json(res, 401, { error: 'a valid bearer token is required' }, { 'www-authenticate': 'Bearer realm="hallmonitor"' });
    }
    const text = await readBody(req);
    let by = 'api';
    if (text.trim() !== '') {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return json(res, 400, { error: 'body: expected JSON such as {"by": "Sam Tech"}' });
      }
      const given = (body as { by?: unknown } | null)?.by;
      if (given !== undefined && (typeof given !== 'string' || given.length === 0 || given.length > 200)) return json(res, 400, { error: 'by: expected a name of 1 to 200 characters' });
      if (typeof given === 'string') by = given;
    }
    const outcome = await record(alertId, by, 'api');
    json(res, outcome === 'unknown' ? 404 : 200, { alert: alertId, result: outcome });
  }

  async function record(alertId: string, by: string, via: 'link' | 'api'): Promise<AcknowledgeOutcome> {
    const outcome = await acknowledge(alertId, by, now());
    log.info({ alert: alertId, by, via, outcome }, 'ack: acknowledgement');
    return outcome;
  }

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse, target: RequestTarget): Promise<void> => {
    const [first, second, id, last, ...rest] = target.segments;
    if (target.segments.length === 1 && first === 'ack') {
      if (req.method !== 'GET' && req.method !== 'POST') return send(res, 405, 'GET or POST\n', 'text/plain', { allow: 'GET, POST' });
      return link(req, res, target);
    }
    if (first === 'api' && second === 'alerts' && id && last === 'ack' && rest.length === 0 && options.apiToken !== undefined) {
      if (req.method !== 'POST') return send(res, 405, 'POST\n', 'text/plain', { allow: 'POST' });
      return api(req, res, id);
    }
    send(res, 404, 'not found\n', 'text/plain');
  };
  const server = await startSafeServer({
    name: 'ack',
    host: options.host,
    port: options.port,
    log,
    handler,
    errorPage(res, status, message, target) {
      const text = status >= 500 ? 'The acknowledgement could not be recorded. Try again, or acknowledge from the command line.' : message;
      if (target?.segments[0] === 'api') json(res, status, { error: text });
      else html(res, status, status >= 500 ? 'Something went wrong' : 'Request refused', text);
    },
  });
  const { port } = server;
  log.info({ host: options.host, port }, 'ack: endpoint listening');
  return {
    port,
    url: server.url,
    close: () => server.close(),
  };
}
