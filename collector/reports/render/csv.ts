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
 * The report as CSV for a spreadsheet: sections (summary, devices, incidents, daily, notes), each with its
 * own header row, separated by a blank line. The summary rows say which period they cover ("month to date"
 * or "whole month") and how much of it was measured; the notes carry the period's notes, the response
 * times and the "how we count" rules. UTF-8 with a byte order mark, which Excel needs to read it as UTF-8.
 */
export function renderCsv(view: ReportView): string {
  const status = view.complete ? 'whole month' : 'month to date';
  const rows: string[] = [
    line(['school', 'site', 'month', 'measure', 'availability_pct', 'target_pct', 'met', 'previous', 'period', 'covers', 'measured_pct', 'verdict']),
    ...view.headline.map((h) =>
      line([view.school, view.siteId, view.month, h.label, pct(h.pct), h.targetPct, h.met, h.previousText, status, view.periodText, h.coveragePct === null ? null : (Math.floor(h.coveragePct * 1_000) / 1_000).toFixed(3), h.verdictText]),
    ),
    '',
    line(['device', 'role', 'availability_pct', 'downtime_min', 'outages', 'longest', 'mttr', 'unknown', 'maintenance', 'not_monitored']),
    ...view.devices.map((d) => line([d.device, d.role, pct(d.availabilityPct), d.downtimeMinutes, d.outages, d.longestText, d.mttrText, d.unknownText, d.maintenanceText, d.notMonitoredText])),
    '',
    line(['incident_device', 'start', 'end', 'duration_min', 'counted', 'cause', 'in_maintenance', 'acknowledged', 'resolved']),
    ...view.incidents.map((i) => line([i.device, i.startText, i.endText, i.durationMinutes, i.countedText, i.cause, i.inMaintenance, i.acknowledgedText, i.resolvedText])),
    '',
    // A day still to come is "future", not an empty figure that reads as "no data".
    line(['date', 'internet_pct', 'core_services_pct', 'day']),
    ...view.daily.map((d) => line([d.date, pct(d.internetPct), pct(d.coreServicesPct), d.future ? 'future' : d.partial ? 'to date' : 'whole day'])),
    '',
    line(['note', 'text']),
    ...view.periodNotes.map((n) => line(['period', n])),
    ...(view.response?.lines ?? []).map((n) => line(['response', n])),
    line(['chart', view.chart.text]),
    ...view.howWeCount.map((n) => line(['how we count', n])),
  ];
  return `\ufeff${rows.join('\r\n')}\r\n`;
}
