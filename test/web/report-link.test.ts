import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ParsedMail } from 'mailparser';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../contract/index.ts';
import { loadCollectorConfig, loadSites } from '../../collector/config/load.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../../collector/notify/testing/smtp-receiver.ts';
import { startReportDelivery } from '../../collector/reports/delivery/service.ts';
import { createInfluxClient } from '../../collector/storage/influx-client.ts';
import { ensureRetention } from '../../collector/storage/retention.ts';
import { WebStore, webFiles } from '../../collector/web/store.ts';
import { freeTcpPort, makeTempDir, startInflux, type InfluxServer, type TempDir } from '../harness/index.ts';

/**
 * The monthly report mail carries the school's own status link, through the collector's real delivery (scheduler,
 * ledger, report built from a real InfluxDB, nodemailer to an in-process SMTP server): each school's mail its own
 * link and no other school's; with the web pages off, no link at all; a revoked link is not mailed.
 */
const NOW = Date.parse('2026-11-02T09:00:00Z');
const SCHOOLS = ['north-primary', 'south-academy', 'east-infants'] as const;
let influx: InfluxServer;
let temp: TempDir;
let smtp: SmtpReceiver;

beforeAll(async () => {
  [influx, smtp] = await Promise.all([startInflux(), freeTcpPort().then((port) => startSmtpReceiver({ port }))]);
  temp = makeTempDir('hm-report-link-');
}, 60_000);
afterAll(async () => {
  await smtp?.stop();
  await influx?.stop();
  await temp?.remove();
});

/** A collector folder with three schools; `web` on or off. */
async function collectorDir(name: string, web: boolean): Promise<string> {
  const dir = join(temp.path, name);
  mkdirSync(join(dir, 'sites'), { recursive: true });
  mkdirSync(join(dir, 'data'));
  await influx.query(`CREATE DATABASE "hm_link_${name}"`);
  await ensureRetention(createInfluxClient({ url: influx.url, database: `hm_link_${name}` }), `hm_link_${name}`, { rawDays: 45, rollupDays: 400 }, createLogger('retention', 'silent'));
  for (const id of SCHOOLS) {
    writeFileSync(
      join(dir, 'sites', `${id}.yaml`),
      stringify({ id, name: `School ${id}`, contacts: [{ name: 'Business manager', email: `sbm@${id}.example`, roles: ['report'] }], devices: [{ name: 'router', address: '127.0.0.2', role: 'internet' }] }),
    );
  }
  writeFileSync(
    join(dir, 'collector.yaml'),
    stringify({
      influx: { url: influx.url, database: `hm_link_${name}` },
      smtp: { host: '127.0.0.1', port: smtp.port, from: 'noc@provider.example' },
      ...(web ? { web: { publicUrl: 'https://status.provider.example' } } : {}),
    }),
  );
  return join(dir, 'collector.yaml');
}

async function deliver(file: string): Promise<ParsedMail[]> {
  const config = loadCollectorConfig(file);
  const sites = loadSites(config.sitesDir);
  const before = smtp.messages.length;
  const delivery = startReportDelivery(config, () => sites, createLogger('reports', 'silent'), () => NOW)!;
  try {
    const outcomes = await delivery.tick();
    expect(outcomes.map((o) => [o.result, o.error])).toEqual(SCHOOLS.map(() => ['sent', undefined]));
  } finally {
    await delivery.stop();
  }
  return (await smtp.waitForMessages(before + SCHOOLS.length, 30_000)).slice(before);
}

const recipientSite = (mail: ParsedMail) => /sbm@([a-z-]+)\.example/.exec(JSON.stringify(mail.to))![1]!;
const LINK = /https:\/\/status\.provider\.example\/s\/[A-Za-z0-9_-]{43}/g;

describe('monthly report mail', () => {
  it("each school's mail carries its own status link, in the text and the HTML, and no other school's", async () => {
    const file = await collectorDir('on', true);
    const config = loadCollectorConfig(file);
    // East's link is revoked before the mail goes: its mail must carry none (and must not make a new one).
    const store = new WebStore(webFiles(config));
    const links = new Map<string, string>();
    try {
      for (const id of SCHOOLS) links.set(id, `https://status.provider.example/s/${store.ensureLink(id, NOW)}`);
      store.revokeLink('east-infants', NOW);
    } finally {
      store.close();
    }
    const mails = await deliver(file);
    expect(mails.map(recipientSite).sort()).toEqual([...SCHOOLS].sort());
    for (const mail of mails) {
      const site = recipientSite(mail);
      const inText = mail.text!.match(LINK) ?? [];
      const inHtml = String(mail.html).match(LINK) ?? [];
      if (site === 'east-infants') {
        expect(inText, site).toEqual([]);
        expect(inHtml, site).toEqual([]);
      } else {
        expect(inText, site).toEqual([links.get(site)]);
        // The address shown and the href: the same link, twice.
        expect(inHtml, site).toEqual([links.get(site), links.get(site)]);
      }
      for (const [other, link] of links) if (other !== site) expect(`${mail.text}${String(mail.html)}`, `${site} mail holds ${other}'s link`).not.toContain(link);
    }
    // The links mailed open the pages they name.
    const after = new WebStore(webFiles(config));
    try {
      for (const id of ['north-primary', 'south-academy']) expect(after.siteOfToken(links.get(id)!.split('/').pop()!)).toBe(id);
      expect(after.siteOfToken(links.get('east-infants')!.split('/').pop()!)).toBeUndefined();
    } finally {
      after.close();
    }
  }, 120_000);

  it('with the web pages off, no link and no link store', async () => {
    const file = await collectorDir('off', false);
    const mails = await deliver(file);
    expect(mails).toHaveLength(SCHOOLS.length);
    for (const mail of mails) {
      expect(`${mail.text}${String(mail.html)}`).not.toMatch(/\/s\/[A-Za-z0-9_-]{43}/);
      expect(mail.text).not.toContain('status page');
    }
    const config = loadCollectorConfig(file);
    expect(existsSync(webFiles(config).db)).toBe(false);
  }, 120_000);
});
