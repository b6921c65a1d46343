import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../contract/index.ts';
import { hashPassword } from '../agents/password.ts';
import { siteFileSchema } from '../config/schema.ts';
import { overviewView } from './provider-view.ts';
import { schoolView } from './school-view.ts';
import { startWebServer, type WebModel, type WebServer } from './server.ts';
import { WebStore } from './store.ts';

export const PASSWORD = 'correct horse battery staple';

/** A web server over a hand-made model of two schools, for the server's own tests and its fuzz test. */
export async function webServerRig(): Promise<{ server: WebServer; store: WebStore; tokenA: string; tokenB: string; apiToken: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'hm-web-unit-'));
  const store = new WebStore({ db: join(dir, 'web.db'), key: join(dir, 'web.key') });
  const now = () => Date.UTC(2026, 10, 24, 9, 0, 0);
  const sites = new Map(
    [
      { id: 'north', name: 'North Primary', devices: [{ name: 'router', address: '192.0.2.1', role: 'internet' }] },
      { id: 'south', name: 'South Academy', devices: [{ name: 'south-server', address: '192.0.2.2', role: 'server' }] },
    ].map((s) => [s.id, siteFileSchema.parse(s)]),
  );
  const school = (id: string) => schoolView({ site: sites.get(id)!, now: now(), siteState: { state: 'online' }, devices: new Map(), alerts: [], notes: new Map(), since: new Map(), reports: [] });
  const model: WebModel = {
    siteExists: (id) => sites.has(id),
    siteDevices: (id) => sites.get(id)?.devices.map((d) => d.name) ?? [],
    maintenanceChanged: () => undefined,
    school,
    overview: (q) => overviewView([...sites.values()].map((site) => ({ site, worst: school(site.id).overall, alerts: [], agents: [], heardAt: new Map(), siteOnline: false, internetPct: null })), q, now()),
    technician: (id) => (sites.has(id) ? { id, name: sites.get(id)!.name, grafana: undefined, roles: [], alerts: [], agents: [] } : undefined),
    reportMonths: () => ['2026-10'],
    reportPdf: async () => Buffer.from('%PDF-1.4 test'),
    alertSite: (id) => (id === 'alert-north' ? 'north' : undefined),
  };
  store.setUser('admin', await hashPassword(PASSWORD), now());
  const apiToken = store.addApiToken('ticketing', now());
  const tokenA = store.ensureLink('north', now())!;
  const tokenB = store.ensureLink('south', now())!;
  const server = await startWebServer({ host: '127.0.0.1', port: 0, secure: false, refreshSeconds: 15, sessionHours: 1, publicUrl: 'http://127.0.0.1', store, model, log: createLogger('web', 'silent'), now });
  return {
    server,
    store,
    tokenA,
    tokenB,
    apiToken,
    async stop() {
      await server.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
