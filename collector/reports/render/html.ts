import { CHART_COLOURS, axisMarks, barShare } from '../content/chart.ts';
import type { ReportView } from '../content/view-model.ts';

/** Text into HTML: the five characters that could change its meaning, escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const e = escapeHtml;
const FONT = "font-family:-apple-system,'Segoe UI',Roboto,Arial,sans-serif;";
const CELL = 'padding:6px 8px;border-bottom:1px solid #e2e8f0;text-align:left;vertical-align:top;';
const HEAD = `${CELL}background:#f7fafc;font-weight:600;font-size:12px;color:#4a5568;`;

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  // A scrolling wrapper, so a phone shows the wide tables without shrinking the whole mail.
  return (
    `<div style="overflow-x:auto;margin:8px 0 16px;"><table role="presentation" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%;font-size:13px;">` +
    `<tr>${headers.map((h) => `<th style="${HEAD}">${e(h)}</th>`).join('')}</tr>` +
    rows.map((r) => `<tr>${r.map((c) => `<td style="${CELL}">${c}</td>`).join('')}</tr>`).join('') +
    '</table></div>'
  );
}

function headlineBoxes(view: ReportView): string {
  return view.headline
    .map((h) => {
      const colour = h.met === null ? '#718096' : h.met ? CHART_COLOURS.met : CHART_COLOURS.miss;
      const change = h.changeText === undefined ? '' : ` (${e(h.changeText)})`;
      return (
        `<td style="padding:6px;width:50%;vertical-align:top;"><div style="border:2px solid ${colour};border-radius:8px;padding:12px;">` +
        `<div style="font-size:13px;color:#4a5568;">${e(h.label)}</div>` +
        `<div style="font-size:26px;font-weight:700;color:${colour};">${e(h.pctText)}</div>` +
        `<div style="font-size:13px;">Target ${e(h.targetText)}: <b style="color:${colour};">${e(h.verdictText)}</b></div>` +
        (h.met === null ? '' : `<div style="font-size:12px;color:#718096;">${e(h.coverageText)}</div>`) +
        `<div style="font-size:12px;color:#718096;">Last month ${e(h.previousText)}${change}</div></div></td>`
      );
    })
    .join('');
}

/** Height in pixels of a measured day's bar: at least 2, so a day at 0 % still shows. */
export function barPixels(pct: number | null, view: ReportView, height: number): number {
  return pct === null ? 0 : Math.max(2, Math.round(barShare(pct, view.chart) * height));
}

function dailyChart(view: ReportView): string {
  const height = 100;
  const bar = (pct: number | null, colour: string, future: boolean) => {
    if (future) return `<div style="display:inline-block;width:45%;height:0;"></div>`;
    // No counted time: a dashed outline, never mistaken for a low day.
    if (pct === null) return `<div style="display:inline-block;box-sizing:border-box;width:45%;height:${height}px;border:1px dashed ${CHART_COLOURS.none};vertical-align:bottom;"></div>`;
    return `<div title="${e(pct.toFixed(3))} %" style="display:inline-block;width:45%;height:${barPixels(pct, view, height)}px;background:${colour};vertical-align:bottom;"></div>`;
  };
  // The break: a dashed line across the chart at its height (a background image survives mail clients poorly).
  const breakLine = view.chart.breakAt > 0 ? Math.round(view.chart.breakShare * height) : undefined;
  const cells = view.daily
    .map((d) => {
      const mark = breakLine === undefined ? '' : `background:linear-gradient(to top, transparent ${breakLine}px, ${CHART_COLOURS.miss} ${breakLine}px, ${CHART_COLOURS.miss} ${breakLine + 1}px, transparent ${breakLine + 1}px);`;
      return `<td title="${e(d.date)}" style="height:${height}px;vertical-align:bottom;padding:0 1px;border-bottom:1px solid #4a5568;${mark}">${bar(d.internetPct, CHART_COLOURS.internet, d.future)}${bar(d.coreServicesPct, CHART_COLOURS.core, d.future)}</td>`;
    })
    .join('');
  // Axis labels at 100 %, the break (or 50 %) and 0 %, as table rows: mail clients drop CSS positioning.
  const [, [mid, share]] = axisMarks(view.chart) as [[number, number], [number, number], [number, number]];
  const label = (text: string, rowHeight: number, align: string) =>
    `<tr><td style="height:${rowHeight}px;vertical-align:${align};text-align:right;padding:0 4px 0 0;font-size:9px;line-height:12px;color:#718096;">${text}</td></tr>`;
  const below = Math.round(share * height);
  const axis =
    `<td style="width:34px;height:${height}px;vertical-align:bottom;padding:0;"><table role="presentation" cellspacing="0" cellpadding="0" style="width:100%;border-collapse:collapse;">` +
    label('100 %', height - below - 6, 'top') +
    label(`${mid} %`, 12, 'middle') +
    label('0 %', below - 6, 'bottom') +
    '</table></td>';
  const labels = view.daily.map((d) => `<td style="font-size:9px;color:${d.future ? '#cbd5e0' : '#718096'};text-align:center;">${e(d.label)}</td>`).join('');
  return (
    `<table role="presentation" cellspacing="0" cellpadding="0" style="width:100%;table-layout:fixed;border-collapse:collapse;"><tr>${axis}${cells}</tr><tr><td></td>${labels}</tr></table>` +
    `<div style="font-size:12px;color:#4a5568;margin:4px 0 4px;"><span style="color:${CHART_COLOURS.internet};">&#9632;</span> Internet &nbsp; <span style="color:${CHART_COLOURS.core};">&#9632;</span> Core services &nbsp; <span style="color:${CHART_COLOURS.none};">&#9633;</span> dashed: no counted time${view.complete ? '' : '; days still to come are blank'}</div>` +
    `<div style="font-size:12px;color:#4a5568;margin:0 0 4px;">${e(view.chart.text)}</div>` +
    (view.lowestDayText === undefined ? '' : `<div style="font-size:12px;color:#1a202c;margin:0 0 16px;">${e(view.lowestDayText)}</div>`)
  );
}

function periodNotes(view: ReportView): string {
  if (view.periodNotes.length === 0) return '';
  return `<div style="background:#fffbea;border:1px solid #f6e05e;border-radius:6px;padding:8px 12px;margin:0 0 12px;font-size:13px;">${view.periodNotes.map((n) => `<div style="margin:2px 0;">${e(n)}</div>`).join('')}</div>`;
}

function responseBox(view: ReportView): string {
  if (view.response === undefined) return '';
  return `<div style="border:1px solid #e2e8f0;border-radius:6px;padding:8px 12px;margin:8px 6px 0;font-size:13px;"><div style="font-weight:600;margin-bottom:2px;">How quickly we responded</div>${view.response.lines.map((l) => `<div style="margin:2px 0;">${e(l)}</div>`).join('')}</div>`;
}

/** The report as an HTML email: one column, inline styles only (mail clients drop style sheets), phone-width. */
export function renderHtml(view: ReportView): string {
  const h2 = (text: string) => `<h2 style="font-size:17px;margin:20px 0 4px;color:#1a202c;">${e(text)}</h2>`;
  const latency =
    view.latency === undefined
      ? '<p style="font-size:13px;">No latency data this month.</p>'
      : `<p style="font-size:13px;">Round-trip time median <b>${e(view.latency.p50Text)}</b>, 95th percentile <b>${e(view.latency.p95Text)}</b>; packet loss <b>${e(view.latency.lossText)}</b> (${e(view.latency.basis)}).</p>`;
  const incidents =
    view.incidents.length === 0
      ? `<p style="font-size:13px;">No outages ${view.complete ? 'this month' : 'so far this month'}.</p>`
      : table(
          ['Device', 'From', 'To', 'Length', 'Counted', 'Cause', 'Acknowledged', 'Resolved'],
          view.incidents.map((i) => [
            e(i.device),
            e(i.startText),
            e(i.endText),
            e(i.durationText),
            e(i.countedText),
            e(i.cause) + (i.inMaintenance ? ' <i>(planned maintenance)</i>' : ''),
            e(i.acknowledgedText),
            e(i.resolvedText),
          ]),
        ) + (view.moreIncidents > 0 ? `<p style="font-size:12px;">and ${view.moreIncidents} more (see the CSV).</p>` : '');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${e(view.title)} \u2014 ${e(view.school)}</title></head>
<body style="margin:0;padding:0;background:#edf2f7;">
<div style="max-width:640px;margin:0 auto;background:#ffffff;padding:16px;${FONT}color:#1a202c;">
<div style="font-size:12px;color:#718096;">${e(view.provider)}</div>
<h1 style="font-size:21px;margin:4px 0;">${e(view.school)}</h1>
<div style="font-size:15px;color:#4a5568;">${e(view.title)}</div>
<div style="font-size:13px;color:#1a202c;font-weight:600;margin-bottom:8px;">${e(view.periodText)}</div>
${periodNotes(view)}<table role="presentation" cellspacing="0" cellpadding="0" style="width:100%;border-collapse:collapse;"><tr>${headlineBoxes(view)}</tr></table>
${responseBox(view)}
${h2('Day by day')}${dailyChart(view)}
${h2('Devices')}${table(
    ['Device', 'Availability', 'Downtime', 'Outages', 'Longest', 'MTTR'],
    view.devices.map((d) => [`${e(d.device)}<br><span style="color:#718096;font-size:11px;">${e(d.role)}</span>`, e(d.availabilityText), e(d.downtimeText), String(d.outages), e(d.longestText), e(d.mttrText)]),
  )}
${h2('Outages')}${incidents}
${h2('Internet link quality')}${latency}
${view.notes.length === 0 ? '' : `${h2('Notes')}<ul style="font-size:13px;padding-left:20px;">${view.notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>`}
${h2('How we count')}<div style="background:#f7fafc;border:1px solid #e2e8f0;border-radius:6px;padding:8px 12px;"><ul style="font-size:12px;padding-left:18px;margin:4px 0;">${view.howWeCount.map((l) => `<li style="margin:3px 0;">${e(l)}</li>`).join('')}</ul></div>
<p style="font-size:11px;color:#718096;margin-top:16px;">Generated ${e(view.generatedText)}. The PDF attached holds the same report.</p>
</div></body></html>
`;
}
