import type { Finding, Rule } from './rule.ts';
import { num, round } from './rule.ts';
import { limitOf } from './settings.ts';

/** The agent's disk spool hit its bound and dropped samples within the last `threshold` hours. */
export const agentSpoolDrops: Rule = {
  id: 'agent-spool-drops',
  evaluate(ctx) {
    const settings = ctx.settings('agent-spool-drops');
    if (!settings.enabled) return [];
    const hours = limitOf('agent-spool-drops', settings);
    return ctx.agents
      .filter((a) => a.droppedSamples !== undefined)
      .map((a): Finding => {
        const recent = a.droppedGrewAt !== undefined && ctx.now - a.droppedGrewAt <= hours * 3_600_000;
        return {
          instance: a.agent,
          status: recent ? 'active' : 'clear',
          title: `${ctx.site.name}: agent ${a.agent} ${recent ? 'is dropping' : 'no longer drops'} spooled samples`,
          facts: [
            { label: 'Agent', value: a.agent },
            { label: 'Samples dropped since the spool was created', value: String(a.droppedSamples) },
          ],
          ...(a.droppedGrewAt !== undefined && recent ? { since: a.droppedGrewAt } : {}),
        };
      });
  },
};

/** The disk holding the agent's spool nearly full: the spool will soon have to drop data. */
export const agentDiskFull: Rule = {
  id: 'agent-disk-full',
  evaluate(ctx) {
    const settings = ctx.settings('agent-disk-full');
    if (!settings.enabled) return [];
    const limit = limitOf('agent-disk-full', settings);
    const findings: Finding[] = [];
    for (const a of ctx.agents) {
      const used = num(a.health, 'disk_used_pct');
      if (used === undefined || a.state !== 'online') continue;
      const active = used >= limit;
      findings.push({
        instance: a.agent,
        status: active ? 'active' : 'clear',
        title: `${ctx.site.name}: agent ${a.agent}'s disk is ${round(used)} % full (limit ${limit} %)`,
        facts: [{ label: 'Agent', value: a.agent }],
      });
    }
    return findings;
  },
};
