import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CHART_COLOURS, axisMarks, barShare } from '../content/chart.ts';
import type { ReportView } from '../content/view-model.ts';

/** DejaVu (Debian fonts-dejavu-core) covers Welsh, Irish, Polish and more; PDF's own Helvetica only Latin-1. */
const DEJAVU = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

export interface PdfFonts {
  regular: string;
  bold: string;
}

/** A TrueType font (and its bold, beside it as `-Bold`) when there is one, else Helvetica. */
export function pdfFonts(font: string | undefined = existsSync(DEJAVU) ? DEJAVU : undefined): PdfFonts {
  if (font === undefined) return { regular: 'Helvetica', bold: 'Helvetica-Bold' };
  const bold = font.replace(/\.ttf$/i, '-Bold.ttf');
  return { regular: font, bold: existsSync(bold) ? bold : font };
}

interface Fontkit {
  create(data: Buffer): unknown;
}

let pdfkit: Promise<{ PDFDocument: typeof import('pdfkit'); fontkit: Fontkit }> | undefined;

/**
 * pdfkit, loaded with the first PDF: its modules, fontkit and their tables hold ~25 MB of resident memory
 * (measured: 39 -> 64 MiB RSS for a bare node importing it) that a collector rendering no PDF (most hours of
 * most days) has no use for. With it pdfkit's own font parser (fontkit, its dependency: resolved from pdfkit's
 * folder, so it is the copy pdfkit was installed with); pdfkit 0.20 accepts a parsed font wherever it takes a
 * font file.
 */
function loadPdfkit(): Promise<{ PDFDocument: typeof import('pdfkit'); fontkit: Fontkit }> {
  pdfkit ??= import('pdfkit').then((m) => ({
    PDFDocument: m.default,
    fontkit: createRequire(createRequire(import.meta.url).resolve('pdfkit'))('fontkit') as Fontkit,
  }));
  return pdfkit;
}

const parsed = new Map<string, { stamp: string; font: unknown }>();

/**
 * A TrueType file parsed once and shared by every PDF made after: given the path, pdfkit parses the file
 * again for each document, ~0.25 s for DejaVu's two faces, most of a report's rendering time (measured,
 * docs/sizing.md). Each document still makes its own subset of the glyphs it uses, so the files are the
 * same. Parsed again when the file changes; a standard PDF font's name (Helvetica) is passed as it is.
 */
function fontSource(fontkit: Fontkit, font: string): string | Buffer {
  if (!existsSync(font)) return font;
  const st = statSync(font);
  const stamp = `${st.mtimeMs}:${st.size}`;
  let entry = parsed.get(font);
  if (entry?.stamp !== stamp) {
    entry = { stamp, font: fontkit.create(readFileSync(font)) };
    parsed.set(font, entry);
  }
  // @types/pdfkit lists paths and buffers only; pdfkit takes a parsed font (PDFFontFactory.open).
  return entry.font as Buffer;
}

const GREY = '#4a5568';
const LIGHT = '#718096';
const MARGIN = 40;

interface Column {
  header: string;
  width: number;
  align?: 'left' | 'right';
}

/** The report as an A4 PDF; the daily chart is drawn as vector paths. */
export async function renderPdf(view: ReportView, fonts: PdfFonts = pdfFonts()): Promise<Buffer> {
  const { PDFDocument, fontkit } = await loadPdfkit();
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: { Title: `${view.title} \u2014 ${view.school}`, Author: view.provider, Subject: view.school },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('body', fontSource(fontkit, fonts.regular));
  doc.registerFont('bold', fontSource(fontkit, fonts.bold));
  const width = doc.page.width - 2 * MARGIN;
  const bottom = () => doc.page.height - MARGIN;
  const ensure = (space: number) => {
    if (doc.y + space > bottom()) doc.addPage();
  };
  const heading = (text: string) => {
    ensure(60);
    doc.moveDown(0.8).font('bold').fontSize(13).fillColor('#1a202c').text(text, MARGIN, doc.y, { width });
    doc.moveDown(0.3);
  };

  // Title block.
  doc.font('body').fontSize(9).fillColor(LIGHT).text(view.provider, MARGIN, MARGIN, { width });
  doc.font('bold').fontSize(18).fillColor('#1a202c').text(view.school, { width });
  doc.font('body').fontSize(12).fillColor(GREY).text(view.title, { width });
  doc.font('bold').fontSize(9.5).fillColor('#1a202c').text(view.periodText, { width });
  doc.moveDown(0.5);
  if (view.periodNotes.length > 0) {
    // What the period leaves out, in a yellow box on page 1: a month in progress, monitoring begun mid-month.
    doc.font('body').fontSize(9);
    const h = view.periodNotes.reduce((sum, n) => sum + doc.heightOfString(n, { width: width - 20 }) + 2, 0) + 12;
    const top = doc.y;
    doc.lineWidth(0.75).roundedRect(MARGIN, top, width, h, 4).fillAndStroke('#fffbea', '#f6e05e');
    doc.y = top + 6;
    for (const n of view.periodNotes) {
      doc.font('body').fontSize(9).fillColor('#1a202c').text(n, MARGIN + 10, doc.y, { width: width - 20 });
      doc.y += 2;
    }
    doc.y = top + h;
  }
  doc.moveDown(0.8);

  // Headline boxes.
  const boxTop = doc.y;
  const boxWidth = (width - 12) / 2;
  const boxHeight = 90;
  view.headline.forEach((h, i) => {
    const x = MARGIN + i * (boxWidth + 12);
    const colour = h.met === null ? LIGHT : h.met ? CHART_COLOURS.met : CHART_COLOURS.miss;
    doc.lineWidth(1.5).roundedRect(x, boxTop, boxWidth, boxHeight, 6).stroke(colour);
    doc.font('body').fontSize(10).fillColor(GREY).text(h.label, x + 10, boxTop + 8, { width: boxWidth - 20 });
    doc.font('bold').fontSize(20).fillColor(colour).text(h.pctText, x + 10, boxTop + 22, { width: boxWidth - 20 });
    // The verdict may take two lines ("not judged yet: ..."), which already say how much was measured.
    doc.font('bold').fontSize(8.5).fillColor(colour).text(`Target ${h.targetText}: ${h.verdictText}`, x + 10, boxTop + 48, { width: boxWidth - 20 });
    if (h.met !== null) doc.font('body').fontSize(8).fillColor(LIGHT).text(h.coverageText, x + 10, doc.y, { width: boxWidth - 20 });
    const change = h.changeText === undefined ? '' : ` (${h.changeText})`;
    doc.font('body').fontSize(8).fillColor(LIGHT).text(`Last month ${h.previousText}${change}`, x + 10, doc.y, { width: boxWidth - 20 });
  });
  doc.y = boxTop + boxHeight;

  if (view.response !== undefined) {
    doc.moveDown(0.6);
    doc.font('bold').fontSize(10).fillColor('#1a202c').text('How quickly we responded', MARGIN, doc.y, { width });
    for (const l of view.response.lines) doc.font('body').fontSize(9).fillColor('#1a202c').text(l, MARGIN, doc.y, { width });
  }

  heading('Day by day');
  drawChart(doc, view, MARGIN, doc.y, width, 120);
  doc.font('body').fontSize(8).fillColor(GREY).text(view.chart.text, MARGIN, doc.y, { width });
  if (view.lowestDayText !== undefined) doc.font('body').fontSize(8.5).fillColor('#1a202c').text(view.lowestDayText, MARGIN, doc.y, { width });

  heading('Devices');
  table(
    doc,
    [
      { header: 'Device', width: 130 },
      { header: 'Availability', width: 80, align: 'right' },
      { header: 'Downtime', width: 75, align: 'right' },
      { header: 'Outages', width: 50, align: 'right' },
      { header: 'Longest', width: 75, align: 'right' },
      { header: 'MTTR', width: width - 410, align: 'right' },
    ],
    view.devices.map((d) => [`${d.device} (${d.role})`, d.availabilityText, d.downtimeText, String(d.outages), d.longestText, d.mttrText]),
  );

  heading('Outages');
  if (view.incidents.length === 0) doc.font('body').fontSize(9).fillColor('#1a202c').text(view.complete ? 'No outages this month.' : 'No outages so far this month.', MARGIN, doc.y, { width });
  else
    table(
      doc,
      [
        { header: 'Device', width: 62 },
        { header: 'From', width: 82 },
        { header: 'To', width: 82 },
        { header: 'Length', width: 52, align: 'right' },
        { header: 'Counted', width: 52, align: 'right' },
        { header: 'Cause', width: 80 },
        { header: 'Our response', width: width - 410 },
      ],
      view.incidents.map((i) => [i.device, i.startText, i.endText, i.durationText, i.countedText, i.cause + (i.inMaintenance ? ' (planned maintenance)' : ''), i.responseText]),
    );
  if (view.moreIncidents > 0) doc.font('body').fontSize(8).text(`and ${view.moreIncidents} more (see the CSV).`, MARGIN, doc.y, { width });

  heading('Internet link quality');
  const latency =
    view.latency === undefined
      ? 'No latency data this month.'
      : `Round-trip time median ${view.latency.p50Text}, 95th percentile ${view.latency.p95Text}; packet loss ${view.latency.lossText} (${view.latency.basis}).`;
  doc.font('body').fontSize(9).fillColor('#1a202c').text(latency, MARGIN, doc.y, { width });

  if (view.notes.length > 0) {
    heading('Notes');
    for (const n of view.notes) doc.font('body').fontSize(9).fillColor('#1a202c').text(`\u2022 ${n}`, MARGIN, doc.y, { width });
  }

  // The rules sit in one shaded box, kept on one page.
  const bullets = view.howWeCount.map((l) => `\u2022 ${l}`);
  doc.font('body').fontSize(8.5);
  const gap = 3;
  const rulesHeight = bullets.reduce((h, b) => h + doc.heightOfString(b, { width: width - 20 }) + gap, 0) + 14;
  ensure(rulesHeight + 40);
  heading('How we count');
  const top = doc.y;
  doc.lineWidth(0.75).roundedRect(MARGIN, top, width, rulesHeight, 4).fillAndStroke('#f7fafc', '#e2e8f0');
  doc.y = top + 8;
  for (const b of bullets) {
    doc.font('body').fontSize(8.5).fillColor(GREY).text(b, MARGIN + 10, doc.y, { width: width - 20 });
    doc.y += gap;
  }
  doc.y = top + rulesHeight;
  doc.moveDown(0.6).fontSize(8).fillColor(LIGHT).text(`Generated ${view.generatedText}.`, MARGIN, doc.y, { width });
  doc.end();
  return done;
}

function table(doc: PDFKit.PDFDocument, columns: readonly Column[], rows: readonly (readonly string[])[]): void {
  const rowHeight = (cells: readonly string[], font: string) => {
    doc.font(font).fontSize(8.5);
    return Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: columns[i]!.width - 6 }))) + 6;
  };
  const drawRow = (cells: readonly string[], font: string, fill?: string) => {
    const h = rowHeight(cells, font);
    if (doc.y + h > doc.page.height - MARGIN) doc.addPage();
    const y = doc.y;
    const total = columns.reduce((s, c) => s + c.width, 0);
    if (fill !== undefined) doc.rect(MARGIN, y, total, h).fill(fill);
    let x = MARGIN;
    cells.forEach((c, i) => {
      const col = columns[i]!;
      doc.font(font).fontSize(8.5).fillColor('#1a202c').text(c, x + 3, y + 3, { width: col.width - 6, align: col.align ?? 'left' });
      x += col.width;
    });
    doc.moveTo(MARGIN, y + h).lineTo(MARGIN + total, y + h).lineWidth(0.5).stroke('#e2e8f0');
    doc.y = y + h;
  };
  drawRow(
    columns.map((c) => c.header),
    'bold',
    '#f7fafc',
  );
  for (const r of rows) drawRow(r, 'body');
}

/**
 * Two bars a day (internet, core services) from 0 %, on the view's axis: straight, or broken at a marked
 * height (a dashed line and a zigzag on the axis), with grid lines at 0 %, the break and 100 %.
 */
function drawChart(doc: PDFKit.PDFDocument, view: ReportView, x: number, y: number, width: number, height: number): void {
  const axis = 34;
  const plotX = x + axis;
  const plotW = width - axis;
  const plotH = height - 30;
  doc.font('body').fontSize(7).fillColor(LIGHT);
  for (const [value, share] of axisMarks(view.chart)) {
    const gy = y + plotH - share * plotH;
    const isBreak = view.chart.breakAt > 0 && value === view.chart.breakAt;
    if (isBreak) doc.moveTo(plotX, gy).lineTo(plotX + plotW, gy).lineWidth(0.75).dash(3, { space: 2 }).stroke(CHART_COLOURS.miss).undash();
    else doc.moveTo(plotX, gy).lineTo(plotX + plotW, gy).lineWidth(value === 0 ? 1 : 0.5).stroke(value === 0 ? GREY : CHART_COLOURS.grid);
    doc.fillColor(LIGHT).text(`${value} %`, x, gy - 4, { width: axis - 8, align: 'right' });
    if (isBreak) {
      // The axis break: a zigzag on the vertical axis.
      doc.moveTo(plotX - 3, gy + 3).lineTo(plotX, gy + 1).lineTo(plotX - 3, gy - 1).lineTo(plotX, gy - 3).lineWidth(0.75).stroke(CHART_COLOURS.miss);
    }
  }
  doc.moveTo(plotX, y).lineTo(plotX, y + plotH).lineWidth(0.5).stroke(GREY);
  const slot = plotW / Math.max(1, view.daily.length);
  const barW = Math.max(1, slot * 0.38);
  view.daily.forEach((d, i) => {
    const sx = plotX + i * slot + slot * 0.1;
    const bars: [number | null, string][] = [
      [d.internetPct, CHART_COLOURS.internet],
      [d.coreServicesPct, CHART_COLOURS.core],
    ];
    bars.forEach(([pct, colour], k) => {
      if (d.future) return;
      // No counted time: a dashed outline; a measured day: at least 1.5 pt, so a day at 0 % still shows.
      if (pct === null) doc.rect(sx + k * barW + 0.5, y + 0.5, barW - 1, plotH - 1).lineWidth(0.5).dash(1.5, { space: 1.5 }).stroke(CHART_COLOURS.none).undash();
      else {
        const h = Math.max(1.5, barShare(pct, view.chart) * plotH);
        doc.rect(sx + k * barW, y + plotH - h, barW, h).fill(colour);
      }
    });
    doc.fillColor(d.future ? '#cbd5e0' : LIGHT).fontSize(6).text(d.label, plotX + i * slot, y + plotH + 2, { width: slot, align: 'center' });
  });
  const ly = y + plotH + 14;
  doc.rect(plotX, ly + 1, 7, 7).fill(CHART_COLOURS.internet);
  doc.fillColor(GREY).fontSize(8).text('Internet', plotX + 10, ly, { lineBreak: false });
  doc.rect(plotX + 70, ly + 1, 7, 7).fill(CHART_COLOURS.core);
  doc.fillColor(GREY).fontSize(8).text('Core services', plotX + 80, ly, { lineBreak: false });
  doc.rect(plotX + 160, ly + 1, 7, 7).lineWidth(0.5).dash(1.5, { space: 1.5 }).stroke(CHART_COLOURS.none).undash();
  doc.fillColor(GREY).fontSize(8).text(view.complete ? 'dashed: no counted time' : 'dashed: no counted time; days still to come are blank', plotX + 170, ly, { lineBreak: false });
  doc.x = x;
  doc.y = y + height;
}
