import { describe, expect, it } from 'vitest';
import { RULE_IDS } from '../rules/ids.ts';
import { ruleSettings } from '../rules/index.ts';
import { testConfig, testSite } from '../testing.ts';
import { cachedSettings } from './settings-cache.ts';

const ROLES = ['internet', 'core-switch', 'access-point', 'printer', 'server'] as const;

describe('cachedSettings', () => {
  it('gives what resolving every layer gives, for every rule, with and without a device layer', () => {
    const config = testConfig();
    const site = testSite({
      alerts: {
        rules: { 'high-loss': { threshold: 12 } },
        devices: { 'hall-ap': { 'device-down': { for: '5m' } } },
      },
    });
    const cached = cachedSettings(config, site);
    const devices = [
      ...site.devices,
      // Names that an object's prototype has: without a layer of their own they are their role's.
      { name: 'constructor', role: 'server' as const },
      { name: '__proto__', role: 'printer' as const },
      { name: 'hasOwnProperty', role: 'access-point' as const },
    ];
    for (const rule of RULE_IDS) {
      expect(cached(rule)).toEqual(ruleSettings(rule, config, site.alerts));
      for (const d of devices) expect(cached(rule, d), `${rule} ${d.name}`).toEqual(ruleSettings(rule, config, site.alerts, d));
    }
    expect(cached('device-down', { name: 'hall-ap', role: 'access-point' }).forMs).toBe(300_000);
    expect(cached('device-down', { name: 'library-ap', role: 'access-point' }).forMs).toBe(30_000);
    expect(cached('high-loss', { name: 'constructor', role: 'server' }).threshold).toBe(12);
  });

  it('holds one settings object per role and rule, not per device, and shares it between sites with the same rules', () => {
    const config = testConfig();
    const a = cachedSettings(config, testSite({ id: 'a' }));
    const b = cachedSettings(config, testSite({ id: 'b' }));
    const other = cachedSettings(config, testSite({ id: 'c', alerts: { rules: { 'device-down': { for: '2m' } } } }));
    const seen = new Set<object>();
    for (let i = 0; i < 5_000; i++) {
      const device = { name: `device-${i}`, role: ROLES[i % ROLES.length]! };
      for (const rule of RULE_IDS) {
        seen.add(a(rule, device));
        seen.add(b(rule, device));
      }
    }
    expect(seen.size).toBeLessThanOrEqual(ROLES.length * RULE_IDS.length);
    expect(a('device-down', { name: 'x', role: 'printer' })).toBe(b('device-down', { name: 'y', role: 'printer' }));
    // A site whose own rules differ is not given another site's settings.
    expect(other('device-down', { name: 'x', role: 'printer' }).forMs).toBe(120_000);
    expect(a('device-down', { name: 'x', role: 'printer' }).forMs).toBe(30_000);
  });

  it('a new provider config does not reuse settings resolved under the old one', () => {
    const site = testSite();
    const before = cachedSettings(testConfig(), site)('device-down', { name: 'router', role: 'internet' });
    const after = cachedSettings(testConfig({ rules: { 'device-down': { for: '3m' } } }), site)('device-down', { name: 'router', role: 'internet' });
    expect(before.forMs).toBe(30_000);
    expect(after.forMs).toBe(180_000);
  });
});
