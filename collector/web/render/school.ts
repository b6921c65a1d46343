import type { SchoolView } from '../school-view.ts';
import { SERVICE_WORDS } from '../services.ts';
import { badge, esc, page } from './html.ts';

const time = (iso: string | undefined, text: string | undefined) => (iso === undefined || text === undefined ? '' : `<time datetime="${esc(iso)}">${esc(text)}</time>`);

/** The school's status page: plain words first, detail after; nothing internal is in the view to begin with. */
export function renderSchool(v: SchoolView, refreshSeconds: number): string {
  const services = v.services
    .map(
      (s) => `<li class="b-${esc(s.state)}"><span class="name">${esc(s.label)}</span> ${badge(s.state, s.word)}${
        s.sinceText ? `<span class="since">since ${time(s.sinceIso, s.sinceText)}</span>` : ''
      }${s.detail ? `<span class="detail">${esc(s.detail)}</span>` : ''}</li>`,
    )
    .join('\n');
  const offline = v.offline
    ? `<div class="panel alert-box"><p><strong>We have lost contact with the monitoring at your school${v.offline.sinceText ? ` since ${esc(v.offline.sinceText)}` : ''}.</strong> This usually means the internet connection is down. We are aware and looking into it; what we show below is not up to date.</p></div>`
    : '';
  const incidents =
    v.incidents.length === 0
      ? '<p>No open problems.</p>'
      : `<ul class="incidents">${v.incidents
          .map(
            (i) => `<li class="panel"><strong>${esc(i.what)}</strong>${i.planned ? ' (during planned maintenance)' : ''}<br>
<span class="muted">since ${time(i.sinceIso, i.sinceText)}</span><br>
${i.acknowledgedBy ? `Being handled by ${esc(i.acknowledgedBy)}${i.acknowledgedText ? ` (since ${esc(i.acknowledgedText)})` : ''}.` : 'Not yet picked up by a technician.'}
${i.note ? `<p class="note">${esc(i.note)}</p>` : ''}</li>`,
          )
          .join('\n')}</ul>`;
  const maintenance =
    v.maintenance.length === 0
      ? '<p>None planned in the next two weeks.</p>'
      : `<ul>${v.maintenance.map((m) => `<li><strong>${esc(m.name)}</strong>${m.now ? ' (now)' : ''}: ${esc(m.whenText)}. Affects: ${esc(m.scope)}.</li>`).join('')}</ul>`;
  const availability =
    v.availability.length === 0
      ? '<p>Figures are being worked out.</p>'
      : `<div class="table-wrap"><table><caption>Share of the time each service worked, as our monthly report counts it</caption>
<thead><tr><th scope="col">Service</th><th scope="col" class="num">This month so far</th><th scope="col" class="num">Last month</th></tr></thead>
<tbody>${v.availability.map((a) => `<tr><th scope="row">${esc(a.label)}</th><td class="num">${esc(a.thisMonth)}</td><td class="num">${esc(a.lastMonth)}</td></tr>`).join('')}</tbody></table></div>`;
  const reports = v.reports.length === 0 ? '' : `<h2>Monthly reports</h2><ul>${v.reports.map((r) => `<li><a href="${esc(r.href)}">${esc(r.label)}</a></li>`).join('')}</ul>`;
  const main = `<h1>${esc(v.school)}</h1>
<p class="muted">IT services status. Updated ${time(v.updatedIso, v.updatedText)}; this page refreshes itself every ${refreshSeconds === 1 ? 'second' : `${refreshSeconds} seconds`}.</p>
<p>${esc(v.hours.text)}</p>
${offline}
<h2>Services now</h2>
<p class="visually-hidden">Overall: ${esc(SERVICE_WORDS[v.overall])}.</p>
<ul class="services">${services}</ul>
<h2>Open problems</h2>
${incidents}
<h2>Planned maintenance</h2>
${maintenance}
<h2>Availability</h2>
${availability}
${reports}`;
  return page({ title: `${v.school}: IT status`, main, refreshSeconds, overall: SERVICE_WORDS[v.overall] });
}
