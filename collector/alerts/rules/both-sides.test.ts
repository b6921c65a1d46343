import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../contract/index.ts';
import type { SiteFile } from '../../config/schema.ts';
import { siteAlertsSchema } from '../config.ts';
import { Observations } from '../observations.ts';
import { siteView } from '../site-view.ts';
import { agentStatus, pingSample, snmpSample, testConfig, testSite, T0 } from '../testing.ts';
import { RULE_DEFAULTS } from './defaults.ts';
import { RULE_IDS, type RuleId } from './ids.ts';
import { RULES } from './index.ts';
import { RULE_KINDS } from './kinds.ts';
import { ingestHealth } from '../../ingest/health.ts';

/**
 * Both sides of every rule: where it fires, and where it must stay quiet — just under (or over) the
 * threshold, the field absent, the value 0, the other boolean value, the device unknown (no data) or not
 * answering. Each case is judged through the site view the engine uses, with the default settings.
 */

const s = (device: string, measurement: string, fields: Sample['fields'], tags: Record<string, string> = {}): Sample => ({
  measurement,
  tags: { device, role: 'x', ...tags },
  fields,
  time: T0,
});

interface Setup {
  site?: SiteFile;
  /** Devices whose deciding check gets no answer. */
  down?: string[];
  /** Devices of which nothing was heard (state unknown). */
  silent?: string[];
  health?: Sample;
  agent?: 'online' | 'offline' | 'none';
  dropped?: [number, number];
}

/** Every finding of one rule as "subject status". */
function findings(rule: RuleId, extra: Sample[], o: Setup = {}): string[] {
  const site = o.site ?? testSite();
  const obs = new Observations();
  if (o.agent !== 'none') obs.addStatus(agentStatus('online', T0 - 60_000, o.dropped?.[0] ?? 0), T0 - 60_000);
  if (o.dropped) obs.addStatus(agentStatus('online', T0, o.dropped[1]), T0);
  const base = site.devices
    .filter((d) => !o.silent?.includes(d.name))
    .flatMap((d) => [pingSample(d.name, !o.down?.includes(d.name), T0), ...(d.checks.snmp ? [snmpSample(d.name, !o.down?.includes(d.name), T0)] : [])]);
  obs.addSamples(site.id, 'north-primary-1', [...base, ...extra.map((x) => ({ ...x, time: T0 + 1 })), ...(o.health ? [o.health] : [])], T0);
  if (o.agent === 'offline') obs.addStatus(agentStatus('offline', T0), T0);
  const ctx = siteView(site, obs, { config: testConfig(), heartbeatTimeoutMs: 180_000, startedAt: T0 - 600_000, now: T0 + 1_000 });
  return RULES.find((r) => r.id === rule)!
    .evaluate(ctx)
    .map((f) => `${[f.device, f.interface, f.instance].filter(Boolean).join('/') || 'site'} ${f.status}`);
}

/** Only the findings about one device. */
const about = (device: string, list: string[]) => list.filter((f) => f.startsWith(`${device} `) || f.startsWith(`${device}/`));

const covered = new Set<RuleId>();
const rule = (id: RuleId, body: () => void) => {
  covered.add(id);
  describe(id, body);
};

describe('defaults follow each rule\'s kind', () => {
  it.each(RULE_IDS)('%s', (id) => {
    const kind = RULE_KINDS[id];
    const threshold = RULE_DEFAULTS[id].threshold;
    if (kind.kind === 'condition') expect(threshold).toBeUndefined();
    else {
      expect(threshold).toBeTypeOf('number');
      expect(threshold!).toBeGreaterThanOrEqual(kind.min);
      expect(threshold!).toBeLessThanOrEqual(kind.max);
    }
  });
});

rule('site-offline', () => {
  it('fires when the agent said goodbye', () => expect(findings('site-offline', [], { agent: 'offline' })).toEqual(['site active']));
  it('quiet while it is online', () => expect(findings('site-offline', [])).toEqual(['site clear']));
});

rule('device-down', () => {
  it('fires on a device not answering behind answering parents', () => expect(about('core-switch', findings('device-down', [], { down: ['core-switch'] }))).toEqual(['core-switch active']));
  it('quiet: answering, unreachable behind a dead parent (hold), unknown (no data)', () => {
    expect(about('core-switch', findings('device-down', []))).toEqual(['core-switch clear']);
    expect(about('hall-ap', findings('device-down', [], { down: ['core-switch', 'hall-ap'] }))).toEqual(['hall-ap hold']);
    expect(about('core-switch', findings('device-down', [], { silent: ['core-switch'] }))).toEqual([]);
  });
});

rule('high-loss', () => {
  const loss = (pct: number | undefined) => [{ ...pingSample('router', true, T0), fields: { up: 1, rtt_avg_ms: 2, ...(pct !== undefined ? { loss_pct: pct } : {}) } }];
  it('fires at the threshold (20 %)', () => expect(about('router', findings('high-loss', loss(20)))).toEqual(['router active']));
  it('quiet just under it, at 0, with the field absent, for a device down or unknown', () => {
    expect(about('router', findings('high-loss', loss(19.9)))).toEqual(['router clear']);
    expect(about('router', findings('high-loss', loss(0)))).toEqual(['router clear']);
    expect(about('router', findings('high-loss', loss(undefined)))).toEqual([]);
    expect(about('router', findings('high-loss', [], { down: ['router'] }))).toEqual([]);
    expect(about('router', findings('high-loss', [], { silent: ['router'] }))).toEqual([]);
  });
});

rule('high-latency', () => {
  const rtt = (ms: number | undefined) => [{ ...pingSample('router', true, T0), fields: { up: 1, loss_pct: 0, ...(ms !== undefined ? { rtt_avg_ms: ms } : {}) } }];
  it('fires at the threshold (250 ms)', () => expect(about('router', findings('high-latency', rtt(250)))).toEqual(['router active']));
  it('quiet just under it, at 0, with the field absent, for a device down or unknown', () => {
    expect(about('router', findings('high-latency', rtt(249.9)))).toEqual(['router clear']);
    expect(about('router', findings('high-latency', rtt(0)))).toEqual(['router clear']);
    expect(about('router', findings('high-latency', rtt(undefined)))).toEqual([]);
    expect(about('router', findings('high-latency', [], { down: ['router'] }))).toEqual([]);
    expect(about('router', findings('high-latency', [], { silent: ['router'] }))).toEqual([]);
  });
});

rule('snmp-not-answering', () => {
  it('fires when SNMP fails while ping answers', () => expect(about('core-switch', findings('snmp-not-answering', [snmpSample('core-switch', false, T0)]))).toEqual(['core-switch active']));
  it('quiet when both answer, when ping fails too (hold), when nothing was heard', () => {
    expect(about('core-switch', findings('snmp-not-answering', []))).toEqual(['core-switch clear']);
    expect(about('core-switch', findings('snmp-not-answering', [], { down: ['core-switch'] }))).toEqual(['core-switch hold']);
    expect(about('core-switch', findings('snmp-not-answering', [], { silent: ['core-switch'] }))).toEqual([]);
  });
});

rule('agent-spool-drops', () => {
  it('fires when the spool dropped samples since the last status', () => expect(findings('agent-spool-drops', [], { dropped: [5, 9] })).toEqual(['north-primary-1 active']));
  it('quiet: the first figure is a baseline; no growth; no status', () => {
    expect(findings('agent-spool-drops', [], { dropped: [9, 9] })).toEqual(['north-primary-1 clear']);
    expect(findings('agent-spool-drops', [], { dropped: [0, 0] })).toEqual(['north-primary-1 clear']);
  });
});

rule('agent-disk-full', () => {
  const health = (pct: number | undefined): Sample => ({ measurement: 'agent_health', tags: { agent: 'north-primary-1' }, fields: pct !== undefined ? { disk_used_pct: pct } : { samples: 1 }, time: T0 });
  it('fires at the threshold (90 %)', () => expect(findings('agent-disk-full', [], { health: health(90) })).toEqual(['north-primary-1 active']));
  it('quiet just under, at 0, absent, agent offline', () => {
    expect(findings('agent-disk-full', [], { health: health(89.9) })).toEqual(['north-primary-1 clear']);
    expect(findings('agent-disk-full', [], { health: health(0) })).toEqual(['north-primary-1 clear']);
    expect(findings('agent-disk-full', [], { health: health(undefined) })).toEqual([]);
    expect(findings('agent-disk-full', [], { health: health(97), agent: 'offline' })).toEqual([]);
  });
});

const uplinks = testSite({ alerts: siteAlertsSchema.parse({ uplinks: { 'core-switch': ['A24'] } }) });
const port = (fields: Sample['fields'], name = 'A24') => [s('core-switch', 'interface', fields, { interface: name })];

rule('interface-down', () => {
  it('fires on an uplink down (2) or lowerLayerDown (7) while admin up', () => {
    expect(findings('interface-down', port({ oper_status: 2, admin_status: 1 }), { site: uplinks })).toEqual(['core-switch/A24 active']);
    expect(findings('interface-down', port({ oper_status: 7, admin_status: 1 }), { site: uplinks })).toEqual(['core-switch/A24 active']);
  });
  it('quiet: an uplink that is up (item 6: no silent threshold 0), shut on purpose, dormant, unknown, not an uplink, device down', () => {
    expect(findings('interface-down', port({ oper_status: 1, admin_status: 1 }), { site: uplinks })).toEqual(['core-switch/A24 clear']);
    expect(findings('interface-down', port({ oper_status: 2, admin_status: 2 }), { site: uplinks })).toEqual(['core-switch/A24 clear']);
    expect(findings('interface-down', port({ oper_status: 5, admin_status: 1 }), { site: uplinks })).toEqual(['core-switch/A24 clear']);
    expect(findings('interface-down', port({ oper_status: 4, admin_status: 1 }), { site: uplinks })).toEqual([]);
    expect(findings('interface-down', port({ admin_status: 1 }), { site: uplinks })).toEqual([]);
    expect(findings('interface-down', port({ oper_status: 2, admin_status: 1 }, 'A1'), { site: uplinks })).toEqual([]);
    expect(findings('interface-down', port({ oper_status: 2, admin_status: 1 }), { site: uplinks, down: ['core-switch'] })).toEqual([]);
  });
});

rule('interface-errors', () => {
  it('fires at 1 error/s, in + out', () => expect(findings('interface-errors', port({ in_errors_ps: 0.5, out_errors_ps: 0.5 }))).toEqual(['core-switch/A24 active']));
  it('quiet just under, at 0, absent, unknown device', () => {
    expect(findings('interface-errors', port({ in_errors_ps: 0.99 }))).toEqual(['core-switch/A24 clear']);
    expect(findings('interface-errors', port({ in_errors_ps: 0, out_errors_ps: 0 }))).toEqual(['core-switch/A24 clear']);
    expect(findings('interface-errors', port({ oper_status: 1 }))).toEqual([]);
    expect(findings('interface-errors', port({ in_errors_ps: 5 }), { silent: ['core-switch'] })).toEqual([]);
  });
});

rule('interface-utilisation', () => {
  it('fires on an uplink at 90 %', () => expect(findings('interface-utilisation', port({ utilisation_pct: 90 }), { site: uplinks })).toEqual(['core-switch/A24 active']));
  it('quiet just under, at 0, absent, not an uplink', () => {
    expect(findings('interface-utilisation', port({ utilisation_pct: 89.9 }), { site: uplinks })).toEqual(['core-switch/A24 clear']);
    expect(findings('interface-utilisation', port({ utilisation_pct: 0 }), { site: uplinks })).toEqual(['core-switch/A24 clear']);
    expect(findings('interface-utilisation', port({ oper_status: 1 }), { site: uplinks })).toEqual([]);
    expect(findings('interface-utilisation', port({ utilisation_pct: 99 }, 'A1'), { site: uplinks })).toEqual([]);
  });
});

rule('printer-supply-low', () => {
  const toner = (fields: Sample['fields']) => [s('office-printer', 'printer_supply', fields, { supply: 'Black Toner' })];
  it('fires at 10 % and at 0 % (empty is a known level)', () => {
    expect(findings('printer-supply-low', toner({ level_state: 'percent', level_pct: 10 }))).toEqual(['office-printer/Black Toner active']);
    expect(findings('printer-supply-low', toner({ level_state: 'percent', level_pct: 0 }))).toEqual(['office-printer/Black Toner active']);
  });
  it('quiet just over, level not a percentage (RFC 3805 -3 "some remaining"), absent, printer off', () => {
    expect(findings('printer-supply-low', toner({ level_state: 'percent', level_pct: 10.1 }))).toEqual(['office-printer/Black Toner clear']);
    expect(findings('printer-supply-low', toner({ level_state: 'some_remaining' }))).toEqual([]);
    expect(findings('printer-supply-low', toner({ level_state: 'unknown', level_pct: 0 }))).toEqual([]);
    expect(findings('printer-supply-low', toner({ level_state: 'percent', level_pct: 3 }), { down: ['office-printer'] })).toEqual([]);
  });
});

const ups = (fields: Sample['fields']) => [s('router', 'ups', fields)];

rule('ups-on-battery', () => {
  it('fires on on_battery 1, or output source battery', () => {
    expect(findings('ups-on-battery', ups({ on_battery: 1 }))).toEqual(['router active']);
    expect(findings('ups-on-battery', ups({ on_battery: 1, output_source: 'battery' }))).toEqual(['router active']);
  });
  it('quiet on mains (item 1: on_battery 0 is not "at or over a threshold of 0"), booster, field absent, device unknown', () => {
    expect(findings('ups-on-battery', ups({ on_battery: 0, battery_pct: 100 }))).toEqual(['router clear']);
    expect(findings('ups-on-battery', ups({ on_battery: 0, output_source: 'normal' }))).toEqual(['router clear']);
    expect(findings('ups-on-battery', ups({ on_battery: 0, output_source: 'booster' }))).toEqual(['router clear']);
    expect(findings('ups-on-battery', ups({ battery_pct: 100 }))).toEqual([]);
    expect(findings('ups-on-battery', ups({ on_battery: 1 }), { silent: ['router'] })).toEqual([]);
  });
});

rule('ups-output-unprotected', () => {
  it('fires on bypass and on none', () => {
    expect(findings('ups-output-unprotected', ups({ output_source: 'bypass', on_battery: 0 }))).toEqual(['router active']);
    expect(findings('ups-output-unprotected', ups({ output_source: 'none' }))).toEqual(['router active']);
  });
  it('quiet on normal, battery (its own rule), booster, reducer; no finding for other or absent', () => {
    for (const source of ['normal', 'battery', 'booster', 'reducer']) expect(findings('ups-output-unprotected', ups({ output_source: source }))).toEqual(['router clear']);
    expect(findings('ups-output-unprotected', ups({ output_source: 'other' }))).toEqual([]);
    expect(findings('ups-output-unprotected', ups({ on_battery: 0 }))).toEqual([]);
  });
});

rule('ups-battery-low', () => {
  it('fires at 30 %, and on status low whatever the charge', () => {
    expect(findings('ups-battery-low', ups({ battery_pct: 30, on_battery: 1 }))).toEqual(['router active']);
    expect(findings('ups-battery-low', ups({ battery_pct: 80, battery_status: 'low' }))).toEqual(['router active']);
  });
  it('quiet just over, absent; 0 % contradicted by status normal, mains and runtime left is unknown (hold)', () => {
    expect(findings('ups-battery-low', ups({ battery_pct: 30.1 }))).toEqual(['router clear']);
    expect(findings('ups-battery-low', ups({ on_battery: 0 }))).toEqual([]);
    expect(findings('ups-battery-low', ups({ battery_pct: 0, battery_status: 'normal', on_battery: 0, runtime_min: 40 }))).toEqual(['router hold']);
  });
});

rule('ups-runtime-low', () => {
  const healthy = { battery_pct: 100, battery_status: 'normal', on_battery: 0, output_source: 'normal' };
  it('fires at 10 minutes, and at 0 when the UPS is on battery and nearly empty', () => {
    expect(findings('ups-runtime-low', ups({ ...healthy, runtime_min: 10 }))).toEqual(['router active']);
    expect(findings('ups-runtime-low', ups({ battery_pct: 4, battery_status: 'low', on_battery: 1, runtime_min: 0 }))).toEqual(['router active']);
  });
  it('quiet just over, absent; item 7: 0 or 65535 while 100 % charged, normal, on mains is unknown (hold)', () => {
    expect(findings('ups-runtime-low', ups({ ...healthy, runtime_min: 10.1 }))).toEqual(['router clear']);
    expect(findings('ups-runtime-low', ups(healthy))).toEqual([]);
    expect(findings('ups-runtime-low', ups({ ...healthy, runtime_min: 0 }))).toEqual(['router hold']);
    expect(findings('ups-runtime-low', ups({ on_battery: 0, battery_pct: 100, runtime_min: 0 }))).toEqual(['router hold']);
    expect(findings('ups-runtime-low', ups({ ...healthy, runtime_min: 65_535 }))).toEqual(['router hold']);
  });
});

rule('storage-full', () => {
  const disk = (name: string, pct: number | undefined, tags: Record<string, string> = {}) => [
    s('core-switch', 'host_storage', pct !== undefined ? { used_pct: pct } : { size_bytes: 0 }, { storage: name, kind: 'fixed_disk', ...tags }),
  ];
  it('fires on a real disk at 90 %', () => expect(findings('storage-full', disk('/', 90))).toEqual(['core-switch// active']));
  it('quiet just under, at 0, absent; never on RAM, virtual memory, tmpfs, /dev/shm, /run or a snap image', () => {
    expect(findings('storage-full', disk('C:\\ Label:OS', 89.9))).toEqual(['core-switch/C:\\ Label:OS clear']);
    expect(findings('storage-full', disk('/', 0))).toEqual(['core-switch// clear']);
    expect(findings('storage-full', disk('/', undefined))).toEqual([]);
    expect(findings('storage-full', disk('Physical memory', 99, { kind: 'ram' }))).toEqual([]);
    expect(findings('storage-full', disk('Swap space', 99, { kind: 'virtual_memory' }))).toEqual([]);
    expect(findings('storage-full', disk('/data', 99, { fs_type: 'tmpfs' }))).toEqual([]);
    expect(findings('storage-full', disk('/dev/shm', 99))).toEqual([]);
    expect(findings('storage-full', disk('/run/user/1000', 99))).toEqual([]);
    expect(findings('storage-full', disk('/snap/core20/2015', 100))).toEqual([]);
    // Not one block free: a read-only image (OpenWrt's /rom: hrStorageSize 12 = hrStorageUsed 12), held as unknown.
    expect(findings('storage-full', [s('core-switch', 'host_storage', { used_pct: 100, size_bytes: 3_145_728, used_bytes: 3_145_728 }, { storage: '/rom', kind: 'fixed_disk' })])).toEqual(['core-switch//rom hold']);
    // A real disk full to its reserved blocks still pages.
    expect(findings('storage-full', [s('core-switch', 'host_storage', { used_pct: 97, size_bytes: 1000, used_bytes: 970 }, { storage: '/', kind: 'fixed_disk' })])).toEqual(['core-switch// active']);
  });
});

rule('cpu-high', () => {
  const cpu = (pct: number | undefined) => [s('core-switch', 'host', pct !== undefined ? { cpu_load_pct: pct } : { processors: 2 })];
  it('fires at 90 %', () => expect(findings('cpu-high', cpu(90))).toEqual(['core-switch active']));
  it('quiet just under, at 0, absent, device down', () => {
    expect(findings('cpu-high', cpu(89.9))).toEqual(['core-switch clear']);
    expect(findings('cpu-high', cpu(0))).toEqual(['core-switch clear']);
    expect(findings('cpu-high', cpu(undefined))).toEqual([]);
    expect(findings('cpu-high', cpu(99), { down: ['core-switch'] })).toEqual([]);
  });
});

// The ingest's refusals are a process-wide view (collector/ingest/health.ts): each case has a school of its own.
const HOUR = 3_600_000;
rule('agent-data-refused', () => {
  it('fires while an agent misbehaved (20 refusals within 10 minutes) within the threshold (1 h), naming agent and school', () => {
    ingestHealth.refused('refusing-now', 'agent-a', 'field-type', 3, 1, T0 - 10_000);
    ingestHealth.refused('refusing-now', 'agent-a', 'invalid', 0, 17, T0 - 5_000);
    expect(findings('agent-data-refused', [], { site: testSite({ id: 'refusing-now' }) })).toEqual(['agent-a active']);
    // Broker refusals count too (a flood of denied subscribes), in minute buckets over the window.
    for (let i = 0; i < 20; i++) ingestHealth.refused('flooding-now', 'agent-f', 'subscribe-denied', 0, 1, T0 - 9 * 60_000 + i * 25_000);
    expect(findings('agent-data-refused', [], { site: testSite({ id: 'flooding-now' }) })).toEqual(['agent-f active']);
  });
  it('quiet: a healthy agent\'s single reject; 19 in 10 minutes; 20 spread over more than 10 minutes; long ago; nothing; another school\'s', () => {
    ingestHealth.refused('one-reject', 'agent-c', 'time-future', 1, 0, T0 - 1_000);
    expect(findings('agent-data-refused', [], { site: testSite({ id: 'one-reject' }) })).toEqual([]);
    for (let i = 0; i < 19; i++) ingestHealth.refused('just-under', 'agent-d', 'invalid', 0, 1, T0 - 60_000 + i * 1_000);
    expect(findings('agent-data-refused', [], { site: testSite({ id: 'just-under' }) })).toEqual([]);
    for (let i = 0; i < 20; i++) ingestHealth.refused('spread-out', 'agent-e', 'invalid', 0, 1, T0 - 40 * 60_000 + i * 2 * 60_000);
    expect(findings('agent-data-refused', [], { site: testSite({ id: 'spread-out' }) })).toEqual([]);
    ingestHealth.refused('refused-long-ago', 'agent-b', 'time-window', 30, 1, T0 + 1_000 - HOUR - 1);
    expect(findings('agent-data-refused', [], { site: testSite({ id: 'refused-long-ago' }) })).toEqual(['agent-b clear']);
    expect(findings('agent-data-refused', [], { site: testSite({ id: 'never-refused' }) })).toEqual([]);
  });
});

rule('site-series-budget', () => {
  it('fires while new series were refused for the budget within the threshold (1 h)', () => {
    ingestHealth.overBudget('over-budget-now', 40, 460, T0);
    expect(findings('site-series-budget', [], { site: testSite({ id: 'over-budget-now' }) })).toEqual(['site active']);
  });
  it('quiet: over budget longer ago than the threshold; never over it', () => {
    ingestHealth.overBudget('over-budget-before', 40, 1, T0 + 1_000 - HOUR - 1);
    expect(findings('site-series-budget', [], { site: testSite({ id: 'over-budget-before' }) })).toEqual(['site clear']);
    expect(findings('site-series-budget', [], { site: testSite({ id: 'within-budget' }) })).toEqual([]);
  });
});

const printerState = (fields: Sample['fields'], tags: Record<string, string> = {}) => [s('office-printer', 'printer', { device_status: 2, printer_status: 3, low_paper: 0, no_paper: 0, low_toner: 0, no_toner: 0, door_open: 0, jammed: 0, ...fields }, { printer_index: '1', ...tags })];
const PRINTER_FAULTS: [RuleId, string][] = [
  ['printer-jam', 'jammed'],
  ['printer-door-open', 'door_open'],
  ['printer-paper-out', 'no_paper'],
  ['printer-toner-empty', 'no_toner'],
];
for (const [id, field] of PRINTER_FAULTS) {
  rule(id, () => {
    it(`fires on hrPrinterDetectedErrorState ${field} (RFC 3805), a second printer of the device named`, () => {
      expect(findings(id, printerState({ [field]: 1 }))).toEqual(['office-printer active']);
      expect(findings(id, printerState({ [field]: 1 }, { printer_index: '2' }))).toEqual(['office-printer/printer 2 active']);
    });
    it('quiet: the bit 0, only its neighbour bits set (low paper, low toner, service requested), field absent, printer down or unknown', () => {
      expect(findings(id, printerState({}))).toEqual(['office-printer clear']);
      expect(findings(id, printerState({ low_paper: 1, low_toner: 1, service_requested: 1, offline: 1 }))).toEqual(['office-printer clear']);
      expect(findings(id, [s('office-printer', 'printer', { device_status: 2 }, { printer_index: '1' })])).toEqual([]);
      expect(findings(id, printerState({ [field]: 1 }), { down: ['office-printer'] })).toEqual([]);
      expect(findings(id, printerState({ [field]: 1 }), { silent: ['office-printer'] })).toEqual([]);
    });
  });
}

/** neighbour-changed reads rows of several polls: each row with its own time. */
function neighbourFindings(rows: [number, string, string, string][], o: { down?: string[]; threshold?: number; now?: number } = {}): string[] {
  const site = testSite(o.threshold !== undefined ? { alerts: siteAlertsSchema.parse({ rules: { 'neighbour-changed': { threshold: o.threshold } } }) } : {});
  const obs = new Observations();
  obs.addStatus(agentStatus('online', T0 - 60_000), T0 - 60_000);
  const now = o.now ?? T0 + 1_000;
  const base = site.devices.flatMap((d) => [pingSample(d.name, !o.down?.includes(d.name), now - 500)]);
  const nb = ([time, port, neighbour, chassis]: [number, string, string, string]): Sample => ({
    measurement: 'neighbour',
    tags: { device: 'core-switch', protocol: 'lldp', interface: port, neighbour },
    fields: { chassis_id: chassis, port_id: 'Gi0/1', sys_name: neighbour, local_port_num: 1 },
    time,
  });
  obs.addSamples(site.id, 'north-primary-1', [...base, ...rows.map(nb)], now);
  const ctx = siteView(site, obs, { config: testConfig(), heartbeatTimeoutMs: 180_000, startedAt: T0 - 600_000, now });
  return RULES.find((r) => r.id === 'neighbour-changed')!
    .evaluate(ctx)
    .map((f) => `${f.device}/${f.interface} ${f.status}: ${f.title.replace(/^North Primary: /, '')}`);
}

rule('neighbour-changed', () => {
  const P1 = T0 - 120_000;
  const P2 = T0 - 60_000;
  const P3 = T0;
  it('fires when a port\'s neighbour is replaced, and when a neighbour is read on another port (a moved cable)', () => {
    expect(neighbourFindings([[P1, 'A1', 'hall-sw', '00:11:22:33:44:01'], [P2, 'A1', 'new-sw', '00:11:22:33:44:09']])).toEqual([
      'core-switch/A1 active: core-switch port A1: neighbour changed from hall-sw (its port Gi0/1) to new-sw (its port Gi0/1)',
    ]);
    expect(neighbourFindings([[P1, 'A1', 'hall-sw', '00:11:22:33:44:01'], [P2, 'A7', 'hall-sw', '00:11:22:33:44:01']])).toEqual([
      'core-switch/A7 active: core-switch port A7: neighbour hall-sw moved here from port A1',
    ]);
  });
  it('quiet: the same neighbours read again; a poll with no rows between; renamed but the same chassis; a second neighbour added beside the first; a neighbour gone with none instead', () => {
    expect(neighbourFindings([[P1, 'A1', 'hall-sw', '00:11:22:33:44:01'], [P1, 'A2', 'lib-sw', '00:11:22:33:44:02'], [P3, 'A1', 'hall-sw', '00:11:22:33:44:01'], [P3, 'A2', 'lib-sw', '00:11:22:33:44:02']])).toEqual([]);
    // P2 read nothing (a timeout, or the table empty for a moment): P3 reads what P1 did.
    expect(neighbourFindings([[P1, 'A1', 'hall-sw', '00:11:22:33:44:01'], [P3, 'A1', 'hall-sw', '00:11:22:33:44:01']])).toEqual([]);
    expect(neighbourFindings([[P1, 'A1', 'hall-sw', '00:11:22:33:44:01'], [P2, 'A1', 'HALL-SWITCH', '00-11-22-33-44-01']])).toEqual([]);
    expect(neighbourFindings([[P1, 'A1', 'phone', '00:11:22:33:44:05'], [P2, 'A1', 'phone', '00:11:22:33:44:05'], [P2, 'A1', 'laptop', '00:11:22:33:44:06']])).toEqual([]);
    expect(neighbourFindings([[P1, 'A1', 'hall-sw', '00:11:22:33:44:01'], [P1, 'A2', 'ap', '00:11:22:33:44:03'], [P2, 'A1', 'hall-sw', '00:11:22:33:44:01']])).toEqual([]);
  });
  it('resolves once the change is older than the threshold (24 h); nothing for a device down', () => {
    const rows: [number, string, string, string][] = [[P1, 'A1', 'hall-sw', '00:11:22:33:44:01'], [P2, 'A1', 'new-sw', '00:11:22:33:44:09']];
    expect(neighbourFindings(rows, { now: P1 + 24 * HOUR + 1 })).toEqual(['core-switch/A1 clear: core-switch port A1: new-sw is now its usual neighbour']);
    expect(neighbourFindings(rows, { threshold: 1, now: P1 + HOUR - 1 })[0]).toMatch(/^core-switch\/A1 active/);
    expect(neighbourFindings(rows, { down: ['core-switch'] })).toEqual([]);
  });
});

describe('coverage', () => {
  it('every rule has both sides here', () => expect([...covered].sort()).toEqual([...RULE_IDS].sort()));
});

describe('any field values a device may report (fast-check)', () => {
  const value = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }), fc.integer({ min: -1, max: 70_000 }), fc.constantFrom('normal', 'low', 'depleted', 'fault', 'unknown', 'battery', 'bypass', 'none', 'percent', ''));
  const fields = fc.dictionary(
    fc.constantFrom('on_battery', 'output_source', 'battery_status', 'battery_pct', 'runtime_min', 'used_pct', 'size_bytes', 'used_bytes', 'oper_status', 'admin_status', 'in_errors_ps', 'utilisation_pct', 'level_state', 'level_pct', 'cpu_load_pct', 'loss_pct', 'rtt_avg_ms', 'up', 'jammed', 'door_open', 'no_paper', 'no_toner'),
    value,
    { maxKeys: 8 },
  );
  const measurement = fc.constantFrom('ups', 'host_storage', 'interface', 'printer_supply', 'printer', 'host', 'ping');

  it('no rule throws, and every finding is active, clear or hold', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(measurement, fields), { maxLength: 6 }), (list) => {
        const extra = list.map(([m, f]) => s('core-switch', m, f, { interface: 'A24', storage: '/', kind: 'fixed_disk', supply: 'Toner' }));
        for (const id of RULE_IDS) for (const f of findings(id, extra, { site: uplinks })) expect(f).toMatch(/ (active|clear|hold)$/);
      }),
      { numRuns: 150 },
    );
  });

  it('a UPS that says it is on mains (output source normal) is never "on battery", whatever else it says', () => {
    fc.assert(
      fc.property(fields, (f) => {
        expect(findings('ups-on-battery', [s('router', 'ups', { ...f, output_source: 'normal' })])).toEqual(['router clear']);
      }),
      { numRuns: 200 },
    );
  });

  it('a placeholder runtime (0 or 65535) on a full UPS on mains never pages', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 65_535), fc.double({ min: 95, max: 100, noNaN: true }), fc.constantFrom('normal', 'unknown', undefined), (runtime, charge, status) => {
        const ups = s('router', 'ups', { runtime_min: runtime, battery_pct: charge, on_battery: 0, ...(status ? { battery_status: status } : {}) });
        expect(findings('ups-runtime-low', [ups])).toEqual(['router hold']);
      }),
      { numRuns: 100 },
    );
  });
});
