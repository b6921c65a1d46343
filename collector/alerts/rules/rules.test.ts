import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../contract/index.ts';
import type { SiteFile } from '../../config/schema.ts';
import { alertsConfigSchema, siteAlertsSchema } from '../config.ts';
import { Observations } from '../observations.ts';
import { siteView } from '../site-view.ts';
import { agentStatus, pingSample, snmpSample, testConfig, testSite, T0 } from '../testing.ts';
import { RULES } from './index.ts';
import { ruleSettings } from './settings.ts';

const s = (device: string, measurement: string, fields: Sample['fields'], tags: Record<string, string> = {}): Sample => ({
  measurement,
  tags: { device, role: 'x', ...tags },
  fields,
  time: T0,
});

/** Every finding of one rule, as "subject status", for a site where every device answers unless listed. */
function findings(rule: string, extra: Sample[], o: { site?: SiteFile; down?: string[]; health?: Sample } = {}): string[] {
  const site = o.site ?? testSite();
  const obs = new Observations();
  obs.addStatus(agentStatus('online', T0), T0);
  const base = site.devices.flatMap((d) => [pingSample(d.name, !o.down?.includes(d.name), T0), ...(d.checks.snmp ? [snmpSample(d.name, true, T0)] : [])]);
  obs.addSamples(site.id, 'north-primary-1', [...base, ...extra, ...(o.health ? [o.health] : [])], T0);
  const ctx = siteView(site, obs, { config: testConfig(), heartbeatTimeoutMs: 180_000, startedAt: T0, now: T0 + 1_000 });
  return RULES.find((r) => r.id === rule)!
    .evaluate(ctx)
    .map((f) => `${[f.device, f.interface, f.instance].filter(Boolean).join('/') || 'site'} ${f.status}`);
}

describe('rules', () => {
  it('device-down: active when down, hold when unreachable, clear when up', () => {
    expect(findings('device-down', [], { down: ['core-switch', 'hall-ap'] })).toEqual([
      'router clear',
      'core-switch active',
      'hall-ap hold',
      'library-ap clear',
      'office-printer clear',
    ]);
  });

  it('high-loss and high-latency on pinged devices that answer', () => {
    const lossy = { ...pingSample('router', true, T0 + 1), fields: { up: 1, loss_pct: 40, rtt_avg_ms: 300 } };
    expect(findings('high-loss', [lossy])[0]).toBe('router active');
    expect(findings('high-latency', [lossy])[0]).toBe('router active');
    expect(findings('high-loss', [])[0]).toBe('router clear');
  });

  it('snmp-not-answering: SNMP failing while ping answers', () => {
    expect(findings('snmp-not-answering', [{ ...snmpSample('core-switch', false, T0 + 1) }])).toEqual(['core-switch active', 'office-printer clear']);
    expect(findings('snmp-not-answering', [], { down: ['core-switch'] })).toContain('core-switch hold');
  });

  it('interface rules: uplinks only for down and utilisation, any interface for errors', () => {
    const site = testSite({ alerts: siteAlertsSchema.parse({ uplinks: { 'core-switch': ['A24'] } }) });
    const a24 = s('core-switch', 'interface', { oper_status: 2, admin_status: 1, utilisation_pct: 95, in_errors_ps: 3 }, { interface: 'A24' });
    const a1 = s('core-switch', 'interface', { oper_status: 2, admin_status: 1, utilisation_pct: 99, in_errors_ps: 0 }, { interface: 'A1' });
    const shut = s('core-switch', 'interface', { oper_status: 2, admin_status: 2 }, { interface: 'A24' });
    expect(findings('interface-down', [a24, a1], { site })).toEqual(['core-switch/A24 active']);
    // Shut on purpose: not a fault, and an alert open on it resolves.
    expect(findings('interface-down', [shut], { site })).toEqual(['core-switch/A24 clear']);
    // quiet side: an uplink that is up is clear
    expect(findings('interface-down', [s('core-switch', 'interface', { oper_status: 1, admin_status: 1 }, { interface: 'A24' })], { site })).toEqual(['core-switch/A24 clear']);
    expect(findings('interface-utilisation', [a24, a1], { site })).toEqual(['core-switch/A24 active']);
    expect(findings('interface-errors', [a24, a1], { site }).sort()).toEqual(['core-switch/A1 clear', 'core-switch/A24 active']);
  });

  it('printer supply low (RFC 3805 levels as percentages only)', () => {
    const black = s('office-printer', 'printer_supply', { level_state: 'percent', level_pct: 4 }, { supply: 'Black Toner' });
    const drum = s('office-printer', 'printer_supply', { level_state: 'some_remaining' }, { supply: 'Drum' });
    expect(findings('printer-supply-low', [black, drum])).toEqual(['office-printer/Black Toner active']);
  });

  it('UPS on battery, battery low (charge or status), runtime low', () => {
    const ups = s('router', 'ups', { on_battery: 1, battery_pct: 80, battery_status: 'low', runtime_min: 25 });
    expect(findings('ups-on-battery', [ups])).toEqual(['router active']);
    // quiet side: on mains (on_battery 0) is clear; the demo's simulated UPS found this firing
    expect(findings('ups-on-battery', [s('router', 'ups', { on_battery: 0, battery_pct: 100 })])).toEqual(['router clear']);
    expect(findings('ups-battery-low', [ups])).toEqual(['router active']);
    expect(findings('ups-runtime-low', [ups])).toEqual(['router clear']);
  });

  it('storage nearly full (fixed disks) and CPU high', () => {
    const disk = s('core-switch', 'host_storage', { used_pct: 95 }, { storage: 'C:', kind: 'fixed_disk' });
    const ram = s('core-switch', 'host_storage', { used_pct: 99 }, { storage: 'RAM', kind: 'ram' });
    expect(findings('storage-full', [disk, ram])).toEqual(['core-switch/C: active']);
    expect(findings('cpu-high', [s('core-switch', 'host', { cpu_load_pct: 50 })])).toEqual(['core-switch clear']);
  });

  it("agent's disk nearly full, from its health sample", () => {
    const health: Sample = { measurement: 'agent_health', tags: { agent: 'north-primary-1' }, fields: { disk_used_pct: 97 }, time: T0 };
    expect(findings('agent-disk-full', [], { health })).toEqual(['north-primary-1 active']);
  });

  it('site-offline: clear while the agent is online', () => {
    expect(findings('site-offline', [])).toEqual(['site clear']);
  });
});

describe('the issue\'s false pages (issue 12)', () => {
  it('item 1: a UPS on mains (on_battery 0) is not "on battery"', () => {
    expect(findings('ups-on-battery', [s('router', 'ups', { on_battery: 0, battery_pct: 100, battery_status: 'normal', runtime_min: 45 })])).toEqual(['router clear']);
  });

  it('item 6: an uplink that is up (ifOperStatus 1, ifAdminStatus 1) is not down', () => {
    const site = testSite({ alerts: siteAlertsSchema.parse({ uplinks: { 'core-switch': ['A24'] } }) });
    expect(findings('interface-down', [s('core-switch', 'interface', { oper_status: 1, admin_status: 1 }, { interface: 'A24' })], { site })).toEqual(['core-switch/A24 clear']);
  });

  it('item 7: runtime 0 while 100 % charged, battery normal, on mains is a placeholder, not "0 minutes left"', () => {
    const placeholder = s('router', 'ups', { on_battery: 0, battery_pct: 100, battery_status: 'normal', runtime_min: 0 });
    expect(findings('ups-runtime-low', [placeholder])).toEqual(['router hold']);
  });
});

describe('rule settings', () => {
  it('layers: built-in, role, provider, provider role, site, device', () => {
    const provider = alertsConfigSchema.parse({ rules: { 'device-down': { for: '2m' } }, roles: { printer: { 'device-down': { severity: 'info' } } } });
    const site = siteAlertsSchema.parse({ rules: { 'device-down': { for: '3m' } }, devices: { 'office-printer': { 'device-down': { enabled: false } } } });
    expect(ruleSettings('device-down', provider, siteAlertsSchema.parse({}), { name: 'router', role: 'internet' })).toMatchObject({ forMs: 120_000, severity: 'critical', period: 'always' });
    expect(ruleSettings('device-down', provider, site, { name: 'office-printer', role: 'printer' })).toEqual({
      enabled: false,
      forMs: 180_000,
      trapForMs: 0,
      severity: 'info',
      period: 'school-hours',
      // device-down is a condition rule: it has no threshold, and none is made up for it.
      threshold: undefined,
    });
    expect(ruleSettings('high-loss', provider, site).threshold).toBe(20);
  });
});
