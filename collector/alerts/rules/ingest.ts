import { ingestHealth } from '../../ingest/health.ts';
import type { Finding, Rule } from './rule.ts';
import { limitOf } from './settings.ts';

const HOUR = 3_600_000;
const describeReasons = (reasons: Record<string, number>) =>
  Object.entries(reasons)
    .sort(([, a], [, b]) => b - a)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');

/**
 * The collector refused an agent's samples or messages within the last `threshold` hours (collector/ingest:
 * invalid messages, wrong field types, times outside the window, the series budget…): a misbehaving,
 * misconfigured or hostile agent. Refused messages are acknowledged, so nothing else would tell.
 */
export const agentDataRefused: Rule = {
  id: 'agent-data-refused',
  evaluate(ctx) {
    const settings = ctx.settings('agent-data-refused');
    if (!settings.enabled) return [];
    const health = ingestHealth.of(ctx.site.id);
    if (health === undefined) return [];
    return [...health.agents].map(([agent, a]): Finding => {
      const recent = ctx.now - a.lastAt <= limitOf('agent-data-refused', settings) * HOUR;
      return {
        instance: agent,
        status: recent ? 'active' : 'clear',
        title: `${ctx.site.name}: the collector ${recent ? 'is refusing' : 'no longer refuses'} data from agent ${agent}`,
        facts: [
          { label: 'Agent', value: agent },
          { label: 'Refused since the collector started', value: `${a.samples} samples, ${a.batches} messages` },
          { label: 'Reasons', value: describeReasons(a.reasons) },
        ],
      };
    });
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
