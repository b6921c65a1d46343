import type { Notification, Recipient } from '../notification.ts';

export const SAMPLE_STARTED_AT = Date.UTC(2026, 0, 12, 8, 42, 0);
const T0 = SAMPLE_STARTED_AT;

/** A firing alert as the pipeline hands it over; also used by the dispatcher's tests. */
export function sampleNotification(over: Partial<Notification> = {}): Notification {
  return {
    id: 'n-0001',
    alertId: 'north-primary/site-offline',
    kind: 'firing',
    severity: 'critical',
    site: { id: 'north-primary', name: 'North Primary', timezone: 'Europe/London' },
    title: 'North Primary is offline since 08:42',
    body: ['The agent stopped reporting and its broadband router does not answer.'],
    facts: [
      { label: 'Agent', value: 'north-1' },
      { label: 'Last seen', value: '08:41:37' },
    ],
    startedAt: T0,
    acknowledgeUrl: 'https://noc.provider.example/ack?a=north-primary%2Fsite-offline&e=1768466520&s=abc123',
    ...over,
  };
}

export const sampleRecipient: Recipient = { name: 'Sam Tech', email: 'sam@provider.example' };
