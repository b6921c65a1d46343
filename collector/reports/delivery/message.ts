import type { Contact } from '../../config/schema.ts';
import type { ReportView } from '../content/view-model.ts';
import type { RenderedReport } from '../outputs.ts';

/** The school's report recipients: contacts with the `report` role and an email address. */
export function reportRecipients(contacts: readonly Contact[]): string[] {
  return contacts.filter((c) => c.roles.includes('report') && c.email !== undefined).map((c) => c.email!);
}

export interface ReportMail {
  from: string;
  to: string[];
  cc?: string[];
  subject: string;
  html: string;
  text: string;
  attachments: { filename: string; content: Buffer; contentType: string }[];
}

/** A plain-text part for mail clients that show no HTML: the headline and where the detail is. */
function textPart(view: ReportView, statusLink: string | undefined): string {
  const lines = [
    `${view.school}`,
    `${view.title}`,
    '',
    view.periodText,
    ...view.periodNotes,
    '',
    ...view.headline.map((h) => `${h.label}: ${h.pctText} (target ${h.targetText}, ${h.met === null ? h.verdictText : h.met ? 'met' : 'missed'})`),
    ...(view.response === undefined ? [] : ['', ...view.response.lines]),
    '',
    `Outages: ${view.incidents.length + view.moreIncidents}. The attached PDF has the full report and how we count.`,
    '',
    ...(statusLink === undefined ? [] : [`Your school's status page, live at any time (keep this link within the school): ${statusLink}`, '']),
    view.provider,
  ];
  return `${lines.join('\n')}\n`;
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The school's status page link at the top of the mail's HTML body (the report's own HTML stays as rendered). */
function withStatusLink(html: string, link: string): string {
  const p = `<p style="margin:0;padding:10px 16px;background:#ebf8ff;font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#1a202c;text-align:center;">Your school's status page, live at any time: <a href="${escapeAttr(link)}" style="color:#2b6cb0;">${escapeAttr(link)}</a><br><span style="font-size:12px;color:#4a5568;">Keep this link within the school: it needs no password.</span></p>`;
  const body = /<body[^>]*>/i.exec(html);
  return body === null ? `${p}${html}` : `${html.slice(0, body.index + body[0].length)}\n${p}${html.slice(body.index + body[0].length)}`;
}

/**
 * The email for one school's month: HTML body, text alternative, the PDF attached, a copy to the provider, and
 * the school's own status page link when the status pages are on (never another school's: the caller asks for
 * this site's).
 */
export function reportMail(view: ReportView, report: RenderedReport, o: { from: string; to: string[]; providerCopy?: string | undefined; statusLink?: string | undefined }): ReportMail {
  return {
    from: o.from,
    to: o.to,
    ...(o.providerCopy === undefined ? {} : { cc: [o.providerCopy] }),
    subject: `Uptime report ${view.monthText}${view.complete ? '' : ' (month to date)'}: ${view.school}`,
    html: o.statusLink === undefined ? report.html : withStatusLink(report.html, o.statusLink),
    text: textPart(view, o.statusLink),
    attachments: [{ filename: `${report.name}.pdf`, content: report.pdf, contentType: 'application/pdf' }],
  };
}
