import type { Rule } from './rule.ts';

/** The site's agent is gone (goodbye, MQTT will or heartbeat timeout): one alert for the whole school. */
export const siteOffline: Rule = {
  id: 'site-offline',
  evaluate(ctx) {
    if (!ctx.settings('site-offline').enabled || ctx.siteState.state === 'unknown') return [];
    const agents = ctx.agents.map((a) => a.agent).join(', ') || 'none heard since the collector started';
    const offline = ctx.siteState.state === 'offline';
    return [
      {
        status: offline ? 'active' : 'clear',
        title: `${ctx.site.name} is ${offline ? 'offline' : 'online'}`,
        facts: [{ label: 'Agents', value: agents }],
        ...(ctx.siteState.since !== undefined ? { since: ctx.siteState.since } : {}),
      },
    ];
  },
};
