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
function textPart(view: ReportView): string {
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
    view.provider,
  ];
  return `${lines.join('\n')}\n`;
}

/** The email for one school's month: HTML body, text alternative, the PDF attached, a copy to the provider. */
export function reportMail(view: ReportView, report: RenderedReport, o: { from: string; to: string[]; providerCopy?: string | undefined }): ReportMail {
  return {
    from: o.from,
    to: o.to,
    ...(o.providerCopy === undefined ? {} : { cc: [o.providerCopy] }),
    subject: `Uptime report ${view.monthText}${view.complete ? '' : ' (month to date)'}: ${view.school}`,
    html: report.html,
    text: textPart(view),
    attachments: [{ filename: `${report.name}.pdf`, content: report.pdf, contentType: 'application/pdf' }],
  };
}
