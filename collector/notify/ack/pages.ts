/** The few pages the acknowledgement endpoint shows: plain HTML, readable on a phone, no script. */
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function page(title: string, paragraphs: string[], extra = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(title)} · hallmonitor</title></head>
<body style="font-family:-apple-system,Segoe UI,Roboto,Arial,sans-serif;font-size:17px;max-width:36em;margin:2em auto;padding:0 1em;color:#222">
<h1 style="font-size:1.4em">${escape(title)}</h1>
${paragraphs.map((p) => `<p>${escape(p)}</p>`).join('\n')}
${extra}
</body></html>`;
}

/** The form that acknowledges: the signed link's own parameters, posted back. */
export function confirmForm(fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`)
    .join('');
  return `<form method="post" action="ack">${inputs}<button type="submit" style="font-size:1.1em;padding:.7em 1.6em;background:#c62828;color:#fff;border:0;border-radius:4px">Acknowledge</button></form>`;
}
