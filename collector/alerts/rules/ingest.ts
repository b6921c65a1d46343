import { MISBEHAVING, ingestHealth } from '../../ingest/health.ts';
import type { Finding, Rule } from './rule.ts';
import { limitOf } from './settings.ts';

const HOUR = 3_600_000;
const describeReasons = (reasons: Record<string, number>) =>
  Object.entries(reasons)
    .sort(([, a], [, b]) => b - a)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');

/**
 * The agent is misbehaving: the collector (ingest or broker) refused at least MISBEHAVING.refusals of its
 * samples, messages, publishes or subscribes within MISBEHAVING.windowMs, some time in the last `threshold`
 * hours: invalid messages, wrong field types, times outside the window, the series budget, another site's
 * topics, a flood. Refused messages are acknowledged, so nothing else would tell. A healthy agent's occasional
 * single reject stays quiet (it is counted in `collector_ingest` and on the agents dashboard).
 */
export const agentDataRefused: Rule = {
  id: 'agent-data-refused',
  evaluate(ctx) {
    const settings = ctx.settings('agent-data-refused');
    if (!settings.enabled) return [];
    const health = ingestHealth.of(ctx.site.id);
    if (health === undefined) return [];
    const findings: Finding[] = [];
    for (const [agent, a] of health.agents) {
      if (a.misbehavedAt === undefined) continue;
      const recent = ctx.now - a.misbehavedAt <= limitOf('agent-data-refused', settings) * HOUR;
      findings.push({
        instance: agent,
        status: recent ? 'active' : 'clear',
        title: `${ctx.site.name}: the collector ${recent ? 'is refusing' : 'no longer refuses'} data from agent ${agent}`,
        facts: [
          { label: 'School', value: `${ctx.site.name} (${ctx.site.id})` },
          { label: 'Agent', value: agent },
          { label: 'Refused since the collector started', value: `${a.samples} samples, ${a.batches} messages` },
          { label: 'Reasons', value: describeReasons(a.reasons) },
          { label: 'Misbehaving means', value: `${MISBEHAVING.refusals} or more refusals within ${MISBEHAVING.windowMs / 60_000} minutes` },
        ],
      });
    }
    return findings;
  },
};

/** New series of this school refused within the last `threshold` hours: it reached its series budget. */
export const siteSeriesBudget: Rule = {
  id: 'site-series-budget',
  evaluate(ctx) {
    const settings = ctx.settings('site-series-budget');
    const budget = ingestHealth.of(ctx.site.id)?.budget;
    if (!settings.enabled || budget === undefined) return [];
    const recent = ctx.now - budget.lastAt <= limitOf('site-series-budget', settings) * HOUR;
    return [
      {
        status: recent ? 'active' : 'clear',
        title: `${ctx.site.name}: ${recent ? 'new series refused, the school reached' : 'back within'} its budget of ${budget.limit} series`,
        facts: [
          { label: 'School', value: `${ctx.site.name} (${ctx.site.id})` },
          { label: 'Series budget', value: String(budget.limit) },
          { label: 'Samples refused for it since the collector started', value: String(budget.refused) },
        ],
      },
    ];
  },
};
