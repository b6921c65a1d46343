import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, siteConfigMessageSchema } from '../../contract/index.ts';
import { siteFileSchema } from '../config/schema.ts';
import { siteConfigMessage } from './config-message.ts';

const site = siteFileSchema.parse({
  id: 'north-primary',
  name: 'North Primary',
  contacts: [{ name: 'Office', email: 'office@north-primary.example' }],
  devices: [{ name: 'router', address: '127.0.0.1', role: 'internet' }],
});

describe('siteConfigMessage', () => {
  it('is a valid wire message without contacts', () => {
    const msg = siteConfigMessage(site, 1_800_000_000_000);
    const decoded = decodeMessage(siteConfigMessageSchema, encodeMessage(msg));
    expect(decoded.ok).toBe(true);
    expect(JSON.stringify(msg)).not.toContain('office@');
  });
  it('revision depends on content, not on publish time', () => {
    const a = siteConfigMessage(site, 1_800_000_000_000);
    const b = siteConfigMessage(site, 1_800_000_100_000);
    const c = siteConfigMessage({ ...site, devices: [] }, 1_800_000_000_000);
    expect(a.revision).toBe(b.revision);
    expect(a.revision).not.toBe(c.revision);
  });
});
