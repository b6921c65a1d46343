import { describe, expect, it } from 'vitest';
import { sampleNotification } from '../../testing/fixtures.ts';
import { renderEmail } from './render.ts';

describe('renderEmail', () => {
  it('plain text: title, body, aligned facts in the site time zone, the acknowledge link', () => {
    const { subject, text } = renderEmail(sampleNotification());
    expect(subject).toBe('[CRITICAL] North Primary is offline since 08:42');
    expect(text).toBe(
      [
        'North Primary is offline since 08:42',
        '',
        'The agent stopped reporting and its broadband router does not answer.',
        '',
        'Site:      North Primary',
        'Agent:     north-1',
        'Last seen: 08:41:37',
        'Since:     Mon 12 Jan 08:42 GMT',
        '',
        'Acknowledge: https://noc.provider.example/ack?a=north-primary%2Fsite-offline&e=1768466520&s=abc123',
        '',
        'Alert north-primary/site-offline',
      ].join('\n'),
    );
  });

  it('marks a resolved message in subject, first line and banner, with the end time and no button', () => {
    const n = sampleNotification({ kind: 'resolved', title: 'North Primary is back online', resolvedAt: Date.UTC(2026, 6, 1, 9, 5), acknowledgeUrl: undefined });
    const { subject, text, html } = renderEmail(n);
    expect(subject).toBe('[RESOLVED] North Primary is back online');
    expect(text.split('\n')[0]).toBe('RESOLVED: North Primary is back online');
    expect(text).toContain('Resolved:  Wed 1 Jul 10:05 BST');
    expect(html).toContain('#2e7d32');
    expect(html).not.toContain('Acknowledge');
  });

  it('marks escalations and reminders in the subject', () => {
    expect(renderEmail(sampleNotification({ kind: 'escalation' })).subject).toBe('[CRITICAL] North Primary is offline since 08:42 (escalated)');
    expect(renderEmail(sampleNotification({ kind: 'repeat', severity: 'warning' })).subject).toBe('[WARNING] North Primary is offline since 08:42 (reminder)');
  });

  it('escapes HTML from device names and facts, and the link in its href', () => {
    const { html } = renderEmail(sampleNotification({ title: '<script>alert(1)</script>', facts: [{ label: 'Name', value: 'AP "lobby" & <hall>' }], acknowledgeUrl: 'https://x.example/ack?a=1&s="x' }));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;');
    expect(html).toContain('AP &#34;lobby&#34; &#38; &#60;hall&#62;');
    expect(html).toContain('href="https://x.example/ack?a=1&#38;s=&#34;x"');
  });
});
