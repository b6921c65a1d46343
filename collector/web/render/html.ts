import { INLINE_CSS } from './assets.ts';

/** Text into HTML (element content and quoted attribute values): the five characters that matter. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface PageOptions {
  title: string;
  /** The <main> content, already escaped. */
  main: string;
  /** Seconds between refreshes; the live script reads it. Omitted: the page does not refresh. */
  refreshSeconds?: number;
  /** Shown in the header (e.g. a sign-out form). */
  header?: string;
  /** The overall state, announced to screen readers when a refresh changes it. */
  overall?: string;
}

/** The page shell: the stylesheet inline (allowed by its hash) and one script from this server; the CSP allows nothing else. */
export function page(o: PageOptions): string {
  const live = o.refreshSeconds === undefined ? '' : ` data-refresh="${o.refreshSeconds}"`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${esc(o.title)}</title>
<style>${INLINE_CSS}</style>
<script src="/assets/live.js" defer></script>
</head>
<body${live}>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><span class="brand">hallmonitor</span>${o.header ?? ''}</header>
<p id="announce" class="visually-hidden" role="status" aria-live="polite"></p>
<main id="main" tabindex="-1"${o.overall === undefined ? '' : ` data-overall="${esc(o.overall)}"`}>
${o.main}
</main>
</body>
</html>
`;
}

/** A state as a badge: the word is always written, the colour only repeats it. */
export const badge = (state: string, word: string): string => `<span class="badge s-${esc(state)}">${esc(word)}</span>`;
