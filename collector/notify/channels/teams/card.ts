import { allFacts, headline } from '../../format.ts';
import type { Notification } from '../../notification.ts';

const COLOUR: Record<string, string> = { CRITICAL: 'Attention', WARNING: 'Warning', INFO: 'Accent', RESOLVED: 'Good' };

/**
 * The message a Teams workflow ("When a Teams webhook request is received", Power Automate) posts: one
 * Adaptive Card 1.4 (the version Teams renders on desktop and mobile) with the headline in the severity's
 * colour, the facts as a FactSet and the acknowledge link as an Action.OpenUrl button.
 */
export function teamsMessage(n: Notification): unknown {
  const head = headline(n);
  const card = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body: [
      { type: 'TextBlock', text: head, weight: 'Bolder', color: COLOUR[head] ?? 'Default', size: 'Small' },
      { type: 'TextBlock', text: n.title, weight: 'Bolder', size: 'Large', wrap: true },
      ...n.body.map((p) => ({ type: 'TextBlock', text: p, wrap: true })),
      { type: 'FactSet', facts: allFacts(n).map((f) => ({ title: f.label, value: f.value })) },
      { type: 'TextBlock', text: `Alert ${n.alertId}`, isSubtle: true, size: 'Small', wrap: true },
    ],
    actions: n.acknowledgeUrl !== undefined ? [{ type: 'Action.OpenUrl', title: 'Acknowledge', url: n.acknowledgeUrl }] : [],
    msteams: { width: 'Full' },
  };
  return { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }] };
}
