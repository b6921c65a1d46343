import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../contract/index.ts';
import { collectorConfigSchema, siteFileSchema } from '../config/schema.ts';
import { alertsConfigSchema, durationMs, siteAlertsSchema } from './config.ts';

const problems = (schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, value: unknown) => {
  const r = schema.safeParse(value);
  return r.success ? [] : describeIssues(r.error as never);
};

describe('alerts config', () => {
  it('durations', () => {
    expect(['500ms', '30s', '5m', '4h', '1d'].map((d) => durationMs(d))).toEqual([500, 30_000, 300_000, 14_400_000, 86_400_000]);
    expect(problems(alertsConfigSchema, { repeatInterval: '4 hours' })).toEqual(['repeatInterval: a duration such as "30s", "5m", "4h" or "1d"']);
  });

  it('the rota names known contacts, one shift per hand-over', () => {
    expect(problems(alertsConfigSchema, { contacts: [{ name: 'Sam' }], rota: [{ from: 'monday 8am', order: ['Sam'] }] })).toEqual([
      'rota[0].from: a weekday and time such as "mon 08:00"',
    ]);
    expect(problems(alertsConfigSchema, { contacts: [{ name: 'Sam' }], rota: [{ from: 'mon 08:00', order: ['Sam', 'Jo'] }, { from: 'mon 08:00', order: ['Sam'] }] })).toEqual([
      'rota[0].order[1]: expected the name of one of alerts.contacts, got "Jo"',
      'rota[1].from: two shifts start at "mon 08:00"',
    ]);
  });

  it('rule names and settings are checked', () => {
    expect(problems(alertsConfigSchema, { rules: { 'device-dwon': { for: '1m' } } })[0]).toMatch(/^rules/);
    expect(problems(alertsConfigSchema, { rules: { 'device-down': { severity: 'page' } } })[0]).toMatch(/^rules\.device-down\.severity/);
  });

  it('alert channels are notify channels; site overrides name the site\'s devices', () => {
    const base = { influx: { url: 'http://127.0.0.1:8086' } };
    expect(problems(collectorConfigSchema, { ...base, alerts: { channels: ['pager'] } })).toEqual(['alerts.channels[0]: expected the id of one of notify.channels, got "pager"']);
    const site = { id: 'np', name: 'NP', devices: [{ name: 'router', address: '127.0.0.1' }] };
    expect(problems(siteFileSchema, { ...site, alerts: { devices: { nas: { 'device-down': { enabled: false } } }, uplinks: { router: ['wan'] } } })).toEqual([
      'alerts.devices.nas: expected the name of a device in this site, got "nas"',
    ]);
  });

  it('a threshold on a condition rule, in another unit or out of range is an error at its path; none becomes a silent default', () => {
    expect(problems(alertsConfigSchema, { rules: { 'ups-on-battery': { threshold: 0 } } })).toEqual([
      'rules.ups-on-battery.threshold: ups-on-battery has no threshold: it fires when the UPS says its output is on battery: upsOutputSource battery(5) (RFC 1628) or upsBasicOutputStatus onBattery(3) (PowerNet)',
    ]);
    expect(problems(alertsConfigSchema, { roles: { switch: { 'interface-down': { threshold: 1 } } } })[0]).toMatch(/^roles\.switch\.interface-down\.threshold: interface-down has no threshold/);
    expect(problems(alertsConfigSchema, { rules: { 'high-latency': { threshold: '90%' } } })).toEqual(['rules.high-latency.threshold: expected ms (average round-trip time), got "90%"']);
    expect(problems(alertsConfigSchema, { rules: { 'storage-full': { threshold: 120 } } })[0]).toMatch(/^rules\.storage-full\.threshold: expected 1–100 %/);
    expect(problems(alertsConfigSchema, { rules: { 'high-loss': { threshold: 0 } } })[0]).toMatch(/^rules\.high-loss\.threshold: expected 1–100 %/);
    expect(problems(alertsConfigSchema, { rules: { 'cpu-high': { threshold: 'high' } } })[0]).toMatch(/^rules\.cpu-high\.threshold: expected a number in %/);
    expect(problems(siteAlertsSchema, { devices: { ups: { 'ups-runtime-low': { threshold: '5 s' } } } })[0]).toMatch(/^devices\.ups\.ups-runtime-low\.threshold/);
    // With its unit, as people write it.
    expect(alertsConfigSchema.parse({ rules: { 'high-latency': { threshold: '300ms' }, 'ups-runtime-low': { threshold: '15 min' } } }).rules).toEqual({
      'high-latency': { threshold: 300 },
      'ups-runtime-low': { threshold: 15 },
    });
  });
});
