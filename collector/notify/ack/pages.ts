/** The few pages the acknowledgement endpoint shows: plain HTML, readable on a phone, no script. */
import { escapeHtml } from '../html.ts';

/** Longest name the confirm page takes for who acknowledged. */
export const NAME_MAX = 100;

export function page(title: string, paragraphs: string[], extra = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · hallmonitor</title></head>
<body style="font-family:-apple-system,Segoe UI,Roboto,Arial,sans-serif;font-size:17px;max-width:36em;margin:2em auto;padding:0 1em;color:#222">
<h1 style="font-size:1.4em">${escapeHtml(title)}</h1>
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
${extra}
</body></html>`;
}

/**
 * The form that acknowledges: the signed link's own parameters, posted back. A link without a contact (posted
 * to a shared Teams or Slack channel) asks who is acknowledging.
 */
export function confirmForm(fields: Record<string, string>, askName: boolean): string {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  const name = askName
    ? `<p><label>Your name <input name="by" maxlength="${NAME_MAX}" autocomplete="name" style="font-size:1em;padding:.3em"></label></p>`
    : '';
  return `<form method="post" action="ack">${inputs}${name}<button type="submit" style="font-size:1.1em;padding:.7em 1.6em;background:#c62828;color:#fff;border:0;border-radius:4px">Acknowledge</button></form>`;
}
