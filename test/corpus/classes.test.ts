import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectDevice } from '../../agent/checks/snmp/profiles/detect.ts';
import { PROFILES } from '../../agent/checks/snmp/profiles/index.ts';
import type { Classification } from '../../agent/checks/snmp/profiles/classify.ts';
import { readSystem } from '../../agent/checks/snmp/system.ts';
import { CORPUS_DIR, memorySession } from '../harness/index.ts';
import { sameAsLibreNmsType } from './classes.ts';
import { pollRecording } from './oracle-poll.ts';

/**
 * Classification rules on the real recordings of the corpus that need them, each with its quiet side: the
 * same recording changed in the one place that takes the evidence away, so the rule is seen to be what
 * decided. Kinds of other gear, routers with Wi-Fi, management controllers, storage arrays.
 */
const text = (name: string) => readFileSync(`${CORPUS_DIR}/recordings/${name}.snmprec`, 'utf8');

function patched(name: string, lines: Record<string, string>): string {
  const out = text(name)
    .split('\n')
    .filter((l) => !(l.slice(0, l.indexOf('|')) in lines));
  for (const [oid, value] of Object.entries(lines)) out.push(`${oid}|${value}`);
  return out.join('\n');
}

async function classifyText(recording: string): Promise<Classification> {
  const session = memorySession(recording);
  const system = await readSystem(session);
  const result = await detectDevice(session, system, PROFILES, { deadline: Number.POSITIVE_INFINITY, now: Date.now });
  if (!('detection' in result)) throw new Error('detection did not finish');
  return result.detection.classification;
}
const classOf = async (name: string) => (await pollRecording(name)).detection.classification;
const SYS_DESCR = '1.3.6.1.2.1.1.1.0';

describe('classification on corpus recordings: the rules and their quiet side', () => {
  it("a Lenovo XClarity controller (Lenovo's number, Linux on armv7l) is a management controller, the same on x86_64 a server", async () => {
    for (const name of ['xclarity_sr665', 'xclarity_lenovoxcc']) {
      expect(await classOf(name), name).toMatchObject({ class: 'other', kind: 'management-controller', vendor: 'Lenovo' });
    }
    const x86 = await classifyText(patched('xclarity_sr665', { [SYS_DESCR]: '4|Linux host15 5.4.256 #1 SMP Mon Oct 2 14:33:44 CST 2023 x86_64' }));
    expect(x86.class).toBe('server');
  });

  it('a DSL gateway with Wi-Fi radios is a router (its VDSL interfaces); without them, an access point', async () => {
    const iad = await classOf('zyxelac_xmg3927');
    expect(iad.class).toBe('router');
    expect(iad.evidence).toContain('WAN');
    const noWan = text('zyxelac_xmg3927').replace(/^(1\.3\.6\.1\.2\.1\.2\.2\.1\.3\.\d+)\|2\|97$/gm, '$1|2|6');
    expect(noWan).not.toBe(text('zyxelac_xmg3927'));
    expect((await classifyText(noWan)).class).toBe('wireless');
  });

  it("one maker's phone adapter and access point are told apart by the MIB branch each answers", async () => {
    for (const name of ['grandstream-ht', 'grandstream-ht_ht802', 'grandstream-ht_ht814v2']) {
      const c = await classOf(name);
      expect(c, name).toMatchObject({ class: 'other', kind: 'voip' });
      expect(sameAsLibreNmsType('network', c), name).toBe(true);
    }
    expect(await classOf('grandstream-ap_gwn7660')).toMatchObject({ class: 'wireless' });
  });

  it('cameras are other gear of kind camera, by their MIB or their own words', async () => {
    expect(await classOf('hikvision-cam')).toMatchObject({ class: 'other', kind: 'camera', vendor: 'Hikvision' });
    expect(await classOf('illustra')).toMatchObject({ class: 'other', kind: 'camera' });
    // quiet: a camera is not network gear in the mapping; LibreNMS's "network" for it is a listed disagreement
    expect(sameAsLibreNmsType('network', await classOf('illustra'))).toBe(false);
    expect(sameAsLibreNmsType('appliance', await classOf('illustra'))).toBe(true);
  });

  it('VoIP gateways, optical transport and broadcast gear are other of a network kind; a BMC is other, not network', async () => {
    for (const [name, kind] of [
      ['audiocodes_mp118', 'voip'],
      ['vega', 'voip'],
      ['lambdatrail_hs', 'transport'],
      ['volius_vs5782', 'transport'],
      ['protelevision-t1', 'broadcast'],
      ['acos', 'load-balancer'],
    ] as const) {
      const c = await classOf(name);
      expect(c, name).toMatchObject({ class: 'other', kind });
      expect(sameAsLibreNmsType('network', c), name).toBe(true);
    }
    expect(sameAsLibreNmsType('network', await classOf('xclarity_sr665'))).toBe(false);
  });

  it('storage arrays are nas: by their own words (PowerVault ME4) or the storage MIB they answer (Compellent), not server', async () => {
    expect((await classOf('dell-powervault_me4024')).class).toBe('nas');
    const compellent = await classOf('dell-compellent_scv3020');
    expect(compellent.class).toBe('nas');
    expect(compellent.evidence).toContain('DELL-STORAGE-SC-MIB');
    // quiet: the same FreeBSD box without the storage MIB is what FreeBSD says, a server
    const bare = text('dell-compellent_scv3020')
      .split('\n')
      .filter((l) => !l.startsWith('1.3.6.1.4.1.674.'))
      .join('\n');
    expect((await classifyText(bare)).class).toBe('server');
  });

  it('a user-set sysDescr saying "USV" (UPS) does not turn a W&T thermometer into a UPS; a UPS controller that says so is one', async () => {
    expect(text('wut_57720')).toContain(`${SYS_DESCR}|4|Rechnerraum 2 USV-Raum`);
    expect((await classOf('wut_57720')).class).toBe('environment');
    expect((await classOf('sinetica')).class).toBe('ups');
  });
});
