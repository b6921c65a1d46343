import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deviceTags } from '../../agent/checks/check.ts';
import { detectDevice } from '../../agent/checks/snmp/profiles/detect.ts';
import { PROFILES } from '../../agent/checks/snmp/profiles/index.ts';
import { readSystem } from '../../agent/checks/snmp/system.ts';
import { createLogger, deviceSchema, type Sample } from '../../contract/index.ts';
import { CORPUS_DIR, memorySession } from '../harness/index.ts';
import { corpusIndex, pollRecording } from './oracle-poll.ts';

/**
 * Issue 13's list of faults seen on 13 devices new to the project, each as a focused test on a corpus
 * recording of the same kind. Where the corpus has no device of that kind (no Comware switch, no HiveOS
 * AP, no UPS on bypass), a real recording is changed in the one place that makes it one, so everything
 * else the classifier sees is a real device's.
 */
const text = (name: string) => readFileSync(`${CORPUS_DIR}/recordings/${name}.snmprec`, 'utf8');

/** A recording with some OIDs' lines replaced (or dropped with null, or added when absent). */
function patched(name: string, lines: Record<string, string | null>, drop: (oid: string) => boolean = () => false): string {
  const out = text(name)
    .split('\n')
    .filter((l) => {
      const oid = l.slice(0, l.indexOf('|'));
      return !(oid in lines) && !drop(oid);
    });
  for (const [oid, value] of Object.entries(lines)) if (value !== null) out.push(`${oid}|${value}`);
  return out.join('\n');
}

const log = createLogger('faults', 'silent');
async function poll(recording: string): Promise<{ class: string; vendor: string; model?: string; evidence: string; samples: Sample[] }> {
  const session = memorySession(recording);
  const system = await readSystem(session);
  const result = await detectDevice(session, system, PROFILES, { deadline: Number.POSITIVE_INFINITY, now: Date.now });
  if (!('detection' in result)) throw new Error('detection did not finish');
  const device = deviceSchema.parse({ name: 'dev', address: '127.0.0.1' });
  const c = result.detection.classification;
  const samples: Sample[] = [];
  for (const p of result.detection.profiles) {
    samples.push(...(await p.poll(session, { device, system, tags: { ...deviceTags(device), class: c.class, vendor: c.vendor }, now: Date.now, log, previous: undefined })).samples);
  }
  return { ...c, samples };
}

const SYS_OBJECT_ID = '1.3.6.1.2.1.1.2.0';
const SYS_DESCR = '1.3.6.1.2.1.1.1.0';

describe('issue 13: the faults on devices never seen before', () => {
  it('a Comware switch (sysObjectID 25506; neither "switch" nor "Comware" in sysDescr; no ENTITY-MIB) is a switch by its bridge ports', async () => {
    const rec = patched(
      'arubaos-cx_10.07',
      { [SYS_OBJECT_ID]: '6|1.3.6.1.4.1.25506.11.1.136', [SYS_DESCR]: '4|HPE Platform Software, Software Version 7.1.070, Release 3208P10' },
      (oid) => oid.startsWith('1.3.6.1.2.1.47.'),
    );
    const c = await poll(rec);
    expect(c).toMatchObject({ class: 'switch', vendor: 'H3C/HPE Comware' });
    expect(c.evidence).toMatch(/BRIDGE|Q-BRIDGE|Ethernet|spanning/);
  });

  it('a switch that also answers HOST-RESOURCES stays a switch', async () => {
    expect(text('arubaos-cx_10.07')).toContain('\n1.3.6.1.2.1.25.2.3.1.');
    const c = await poll(text('arubaos-cx_10.07'));
    expect(c.class).toBe('switch');
    expect(c.evidence).not.toContain('HOST-RESOURCES');
  });

  it('a HiveOS access point (Aerohive enterprise, sysDescr "HiveOS ...") is wireless', async () => {
    const rec = patched('lcos_oap-321', { [SYS_OBJECT_ID]: '6|1.3.6.1.4.1.26928.1.1.1', [SYS_DESCR]: '4|HiveOS 10.6r1 build-255188' });
    expect(await poll(rec)).toMatchObject({ class: 'wireless', vendor: 'Aerohive' });
  });

  it('an access point whose sysDescr matches no vendor pattern and whose enterprise is unknown is wireless by its radios', async () => {
    const rec = patched('lcos_oap-321', { [SYS_OBJECT_ID]: '6|1.3.6.1.4.1.99999.8.301', [SYS_DESCR]: '4|OAP 10.12.0147' });
    const c = await poll(rec);
    expect(c.class).toBe('wireless');
    expect(c.evidence).toContain('ieee80211');
  });

  it('firewalls answering with the net-snmp enterprise number are firewalls, not servers', async () => {
    for (const name of ['pfsense_frr-bgp', 'barracudaspamfirewall_email-sg']) {
      expect(text(name)).toContain(`${SYS_OBJECT_ID}|6|1.3.6.1.4.1.8072.`);
      expect((await poll(text(name))).class, name).toBe('firewall');
    }
  });

  it('a UPS with a net-snmp sysObjectID gets its vendor from upsIdentManufacturer', async () => {
    const rec = patched('abbups_abbups', { '1.3.6.1.2.1.33.1.1.1.0': '4|ABB' });
    expect(await poll(rec)).toMatchObject({ class: 'ups', vendor: 'ABB' });
  });

  it('a UPS on bypass (upsOutputSource 4) is not healthy-looking: output_source "bypass"; the same UPS on mains "normal"', async () => {
    const normal = (await poll(text('cxc_ups'))).samples.find((s) => s.measurement === 'ups')!;
    expect(normal.fields).toMatchObject({ output_source: 'normal', on_battery: 0 });
    const bypass = (await poll(patched('cxc_ups', { '1.3.6.1.2.1.33.1.4.1.0': '2|4' }))).samples.find((s) => s.measurement === 'ups')!;
    expect(bypass.fields).toMatchObject({ output_source: 'bypass', on_battery: 0 });
  });

  it('printer input trays are read: name, capacity, level, paper out', async () => {
    const trays = (await pollRecording('brother_hl5370dw')).samples.filter((s) => s.measurement === 'printer_tray');
    expect(trays.map((t) => [t.tags.tray, t.fields.max_capacity, t.fields.level_state, t.fields.paper_out])).toEqual([
      ['MP TRAY', 50, 'percent', 1],
      ['TRAY1', 250, 'some_remaining', 0],
    ]);
  });

  it('a toner at level 0 with unknown capacity (-2) is 0 % (empty), not unknown', async () => {
    expect(text('brother_hl5370dw')).toContain('1.3.6.1.2.1.43.11.1.1.9.1.1|2|0');
    expect(text('brother_hl5370dw')).toContain('1.3.6.1.2.1.43.11.1.1.8.1.1|2|-2');
    const toner = (await pollRecording('brother_hl5370dw')).samples.find((s) => s.measurement === 'printer_supply' && s.tags.supply_index === '1.1')!;
    expect(toner.fields).toMatchObject({ level_state: 'percent', level_pct: 0 });
  });

  it('every supply and tray percentage in the corpus has at most one decimal', async () => {
    const printers = corpusIndex().filter((e) => e.type === 'printer');
    let checked = 0;
    for (const e of printers) {
      for (const s of (await pollRecording(e.name)).samples) {
        if (typeof s.fields.level_pct !== 'number') continue;
        checked++;
        expect(String(s.fields.level_pct), `${e.name} ${s.tags.supply ?? s.tags.tray}`).toMatch(/^\d+(\.\d)?$/);
      }
    }
    expect(checked).toBeGreaterThan(80);
  });

  it('tmpfs mounts (/run) are not fixed disks; / is', async () => {
    const storage = (await pollRecording('bison')).samples.filter((s) => s.measurement === 'host_storage');
    expect(storage.find((s) => s.tags.storage === '/run')?.tags.kind).toBe('ram_disk');
    expect(storage.find((s) => s.tags.storage === '/')?.tags.kind).toBe('fixed_disk');
  });

  it('the model comes from the chassis entity, not the first entity with a model name', async () => {
    expect((await pollRecording('smartax')).detection.classification.model).toBe('FRAME-300');
    expect((await pollRecording('luminato_4x4')).detection.classification.model).toBe('LMC-A');
    expect((await pollRecording('iosxe_c9300')).detection.classification.model).toBe('C9300-48P');
  });
});
