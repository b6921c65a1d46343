import { escapeHtml } from '../../html.ts';
import { COLOURS, allFacts, headline, subjectOf } from '../../format.ts';
import type { Notification } from '../../notification.ts';


export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/**
 * One alert as an email: a plain-text part for any client and an HTML part built from a single-column
 * table with inline styles (what phone mail apps and Outlook render alike), the acknowledge link as a
 * large button, and a resolved message marked in its subject, banner and first line.
 */
export function renderEmail(n: Notification): RenderedEmail {
  const head = headline(n);
  const facts = allFacts(n);
  const width = Math.max(...facts.map((f) => f.label.length));
  const text = [
    n.kind === 'resolved' ? `RESOLVED: ${n.title}` : n.title,
    '',
    ...n.body.flatMap((p) => [p, '']),
    ...facts.map((f) => `${`${f.label}:`.padEnd(width + 2)}${f.value}`),
    ...(n.acknowledgeUrl !== undefined ? ['', `Acknowledge: ${n.acknowledgeUrl}`] : []),
    '',
    `Alert ${n.alertId}`,
  ].join('\n');
  const colour = COLOURS[head] ?? '#455a64';
  const rows = facts
    .map((f) => `<tr><td style="padding:4px 12px 4px 0;color:#555;vertical-align:top">${escapeHtml(f.label)}</td><td style="padding:4px 0">${escapeHtml(f.value)}</td></tr>`)
    .join('');
  const button =
    n.acknowledgeUrl !== undefined
      ? `<p style="margin:20px 0"><a href="${escapeHtml(n.acknowledgeUrl)}" style="display:inline-block;background:${colour};color:#fff;text-decoration:none;padding:12px 24px;border-radius:4px;font-weight:bold">Acknowledge</a></p>`
      : '';
  const html = `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(subjectOf(n))}</title></head>
<body style="margin:0;padding:0;font-family:-apple-system,Segoe UI,Roboto,Arial,sans-serif;font-size:16px;color:#222">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px">
<tr><td style="background:${colour};color:#fff;padding:12px 16px;font-weight:bold">${escapeHtml(head)}</td></tr>
<tr><td style="padding:16px">
<h1 style="font-size:20px;margin:0 0 12px 0">${escapeHtml(n.title)}</h1>
${n.body.map((p) => `<p style="margin:0 0 12px 0">${escapeHtml(p)}</p>`).join('\n')}
<table role="presentation" cellpadding="0" cellspacing="0">${rows}</table>
${button}
<p style="color:#888;font-size:12px;margin-top:24px">Alert ${escapeHtml(n.alertId)}</p>
</td></tr></table></body></html>`;
  return { subject: subjectOf(n), text, html };
}
