import type { ReportView } from '../content/view-model.ts';

/**
 * RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. A field starting with
 * = + - @ is prefixed with ' so a spreadsheet shows it rather than running it (OWASP "CSV injection").
 */
export function csvField(value: string | number | boolean | null): string {
  let text = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const line = (fields: readonly (string | number | boolean | null)[]) => fields.map(csvField).join(',');
const pct = (v: number | null) => (v === null ? null : v.toFixed(3));

/**
 * The report as CSV for a spreadsheet: sections (summary, devices, incidents, daily), each with its own
 * header row, separated by a blank line. UTF-8 with a byte order mark, which Excel needs to read it as UTF-8.
 */
export function renderCsv(view: ReportView): string {
  const rows: string[] = [
    line(['school', 'site', 'month', 'measure', 'availability_pct', 'target_pct', 'met', 'previous']),
    ...view.headline.map((h) => line([view.school, view.siteId, view.month, h.label, pct(h.pct), h.targetPct, h.met, h.previousText])),
    '',
    line(['device', 'role', 'availability_pct', 'downtime_min', 'outages', 'longest', 'mttr', 'unknown', 'maintenance']),
    ...view.devices.map((d) => line([d.device, d.role, pct(d.availabilityPct), d.downtimeMinutes, d.outages, d.longestText, d.mttrText, d.unknownText, d.maintenanceText])),
    '',
    line(['incident_device', 'start', 'end', 'duration_min', 'counted', 'cause', 'in_maintenance']),
    ...view.incidents.map((i) => line([i.device, i.startText, i.endText, i.durationMinutes, i.countedText, i.cause, i.inMaintenance])),
    '',
    line(['date', 'internet_pct', 'core_services_pct']),
    ...view.daily.map((d) => line([d.date, pct(d.internetPct), pct(d.coreServicesPct)])),
  ];
  return `\ufeff${rows.join('\r\n')}\r\n`;
}
