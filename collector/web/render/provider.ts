import { SORT_KEYS, STATE_FILTERS, type OverviewView, type TechnicianView } from '../provider-view.ts';
import { SERVICE_WORDS, type ServiceState } from '../services.ts';
import { badge, esc, page } from './html.ts';

const signOut = (user: string, csrf: string) =>
  `<form method="post" action="/logout"><span class="hide-small">${esc(user)} · </span><input type="hidden" name="csrf" value="${esc(csrf)}"><button class="link" type="submit">Sign out</button></form>`;

const SORT_LABEL: Record<(typeof SORT_KEYS)[number], string> = { state: 'Worst state first', name: 'Name', alerts: 'Most open alerts', availability: 'Lowest availability' };

/** Every school as a row; sorting, the state filter and the search are a plain GET form (works without script). */
export function renderOverview(v: OverviewView, o: { user: string; csrf: string; refreshSeconds: number }): string {
  const stateOptions = STATE_FILTERS.map(
    (s) => `<option value="${s}"${v.query.state === s ? ' selected' : ''}>${s === 'all' ? 'All states' : `${esc(SERVICE_WORDS[s as ServiceState])} (${v.counts[s as ServiceState]})`}</option>`,
  ).join('');
  const sortOptions = SORT_KEYS.map((k) => `<option value="${k}"${v.query.sort === k ? ' selected' : ''}>${SORT_LABEL[k]}</option>`).join('');
  const rows = v.rows
    .map(
      (r) => `<tr><th scope="row"><a href="/provider/sites/${encodeURIComponent(r.id)}">${esc(r.name)}</a></th>
<td>${badge(r.worst, r.word)}</td><td class="num">${r.openAlerts}${r.criticalAlerts > 0 ? ` <span class="muted">(${r.criticalAlerts} critical)</span>` : ''}</td>
<td>${badge(r.agent === 'never seen' ? 'never' : r.agent, r.agent)}${r.agentText ? `<br><span class="muted">${esc(r.agentText)}</span>` : ''}</td><td class="num">${r.spoolSamples === undefined ? '–' : r.spoolSamples}</td><td class="num">${esc(r.internetText)}</td></tr>`,
    )
    .join('\n');
  const bad = v.counts['not-working'] + v.counts.slow;
  const main = `<h1>Schools</h1>
<p class="muted">${v.total} schools: ${v.counts['not-working']} with something not working, ${v.counts.slow} slow, ${v.counts.unknown} without recent data, ${v.counts.maintenance} in maintenance. Refreshes every ${o.refreshSeconds} s.</p>
<form class="filters" method="get" action="/provider" role="search">
<div><label for="q">Search by name</label><input id="q" name="q" type="search" value="${esc(v.query.q)}"></div>
<div><label for="state">State</label><select id="state" name="state">${stateOptions}</select></div>
<div><label for="sort">Sort by</label><select id="sort" name="sort">${sortOptions}</select></div>
<div><button type="submit">Show</button></div>
</form>
<div class="table-wrap"><table>
<caption>${v.rows.length} of ${v.total} schools shown</caption>
<thead><tr><th scope="col">School</th><th scope="col">Worst state</th><th scope="col" class="num">Open alerts</th><th scope="col">Agent</th><th scope="col" class="num">Spool (samples waiting)</th><th scope="col" class="num">Internet this month</th></tr></thead>
<tbody>${rows || '<tr><td colspan="6">No school matches.</td></tr>'}</tbody>
</table></div>`;
  return page({ title: 'Schools: hallmonitor', main, refreshSeconds: o.refreshSeconds, header: signOut(o.user, o.csrf), overall: `${bad} schools with problems` });
}

/** One school for the technician: devices by role, the alerts in force (with the public note form), the agents. */
export function renderTechnician(v: TechnicianView, o: { user: string; csrf: string; refreshSeconds: number; notes: ReadonlyMap<string, string>; statusLink: string | undefined }): string {
  const roles = v.roles
    .map(
      (r) => `<h3>${esc(r.role)}</h3><div class="table-wrap"><table><thead><tr><th scope="col">Device</th><th scope="col">State</th><th scope="col" class="hide-small">Address</th><th scope="col">Last seen</th><th scope="col">Key numbers</th></tr></thead><tbody>
${r.devices
  .map(
    (d) => `<tr><th scope="row">${esc(d.name)}</th><td>${badge(d.state, d.state)}</td><td class="hide-small">${esc(d.address)}</td><td>${esc(d.lastSeenText)}</td><td><ul class="figures">${d.figures.map((f) => `<li>${esc(f)}</li>`).join('')}</ul></td></tr>`,
  )
  .join('\n')}</tbody></table></div>`,
    )
    .join('\n');
  const alerts =
    v.alerts.length === 0
      ? '<p>No alerts in force.</p>'
      : v.alerts
          .map(
            (a) => `<div class="panel"><strong>${esc(a.title)}</strong> <span class="muted">(${esc(a.severity)}, since ${esc(a.sinceText)}${a.muted ? `, muted: ${esc(a.muted)}` : ''}${a.ackedBy ? `, acknowledged by ${esc(a.ackedBy)}` : ''}; id ${esc(a.id)})</span>
<form method="post" action="/provider/sites/${encodeURIComponent(v.id)}/notes"><input type="hidden" name="csrf" value="${esc(o.csrf)}"><input type="hidden" name="alert" value="${esc(a.id)}">
<label for="note-${esc(a.id)}">Note the school sees</label><textarea id="note-${esc(a.id)}" name="text" rows="2" cols="50" maxlength="500">${esc(o.notes.get(a.id) ?? '')}</textarea>
<button type="submit">Save note</button></form></div>`,
          )
          .join('\n');
  const agents = v.agents.length === 0 ? '<p>No agent has connected yet.</p>' : `<ul>${v.agents.map((a) => `<li>${esc(a.id)}: ${badge(a.state, a.state)} version ${esc(a.version)}, ${esc(a.spool)}</li>`).join('')}</ul>`;
  const main = `<p><a href="/provider">All schools</a></p>
<h1>${esc(v.name)}</h1>
<p>${v.grafana ? `<a href="${esc(v.grafana)}">Grafana dashboard</a> · ` : ''}${o.statusLink ? `<a href="${esc(o.statusLink)}">The school's status page</a>` : 'No status link (make one with: hallmonitor-collector web link --site ' + esc(v.id) + ')'}</p>
<h2>Alerts in force</h2>
${alerts}
<h2>Agents</h2>
${agents}
<h2>Devices</h2>
${roles || '<p>No devices listed.</p>'}`;
  return page({ title: `${v.name}: hallmonitor`, main, refreshSeconds: o.refreshSeconds, header: signOut(o.user, o.csrf), overall: `${v.alerts.length} alerts` });
}

export function renderLogin(o: { csrf: string; next: string; error?: string }): string {
  const main = `<div class="login panel"><h1>Sign in</h1>
${o.error ? `<p class="error" role="alert">${esc(o.error)}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="csrf" value="${esc(o.csrf)}"><input type="hidden" name="next" value="${esc(o.next)}">
<label for="username">User name</label><input id="username" name="username" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form></div>`;
  return page({ title: 'Sign in: hallmonitor', main });
}

/** A short page for refusals and missing pages; says nothing about what exists. */
export function renderMessage(title: string, text: string): string {
  return page({ title, main: `<h1>${esc(title)}</h1><p>${esc(text)}</p>` });
}
