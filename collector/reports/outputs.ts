import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportView } from './content/view-model.ts';
import { renderCsv } from './render/csv.ts';
import { renderHtml } from './render/html.ts';
import { pdfFonts, renderPdf, type PdfFonts } from './render/pdf.ts';

export interface RenderedReport {
  /** "<site>-<month>", the files' common name. */
  name: string;
  html: string;
  pdf: Buffer;
  csv: string;
}

export async function renderReport(view: ReportView, fonts: PdfFonts = pdfFonts()): Promise<RenderedReport> {
  return { name: `${view.siteId}-${view.month}`, html: renderHtml(view), pdf: await renderPdf(view, fonts), csv: renderCsv(view) };
}

/** Writes <site>-<month>.html/.pdf/.csv into `dir`; returns their paths. */
export function writeReport(dir: string, report: RenderedReport): string[] {
  mkdirSync(dir, { recursive: true });
  const files: [string, string | Buffer][] = [
    [`${report.name}.html`, report.html],
    [`${report.name}.pdf`, report.pdf],
    [`${report.name}.csv`, report.csv],
  ];
  return files.map(([name, content]) => {
    const path = join(dir, name);
    // Written to a new file ('wx' never opens an existing path, so never a symlink planted there) and renamed
    // over the name: rename replaces a symlink itself, not what it points at.
    const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    writeFileSync(tmp, content, { flag: 'wx' });
    try {
      renameSync(tmp, path);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
    return path;
  });
}
