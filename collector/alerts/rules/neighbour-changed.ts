import { neighbourChanges } from '../../topology/changes.ts';
import type { Finding, Rule } from './rule.ts';
import { limitOf } from './settings.ts';

const clock = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

/**
 * A notice, not a page (severity info by default): a device's LLDP/CDP neighbour on a port changed (a new
 * switch, an AP swapped) or a neighbour is now on another port (a moved cable), within the last `threshold`
 * hours. collector/topology/changes.ts decides what counts as a change; after the threshold the new
 * neighbour is simply how the school is wired, and the notice resolves.
 */
export const neighbourChanged: Rule = {
  id: 'neighbour-changed',
  evaluate(ctx) {
    const findings: Finding[] = [];
    for (const view of ctx.devices) {
      if (view.state !== 'up' && view.state !== 'degraded') continue;
      const settings = ctx.settings('neighbour-changed', view.device);
      if (!settings.enabled || view.remembered === undefined) continue;
      const windowMs = limitOf('neighbour-changed', settings) * 3_600_000;
      for (const c of neighbourChanges(view.remembered('neighbour'))) {
        const recent = ctx.now - c.lastSeenBefore <= windowMs;
        const was = `${c.before.name}${c.before.port !== undefined ? ` (its port ${c.before.port})` : ''}`;
        const is = `${c.after.name}${c.after.port !== undefined ? ` (its port ${c.after.port})` : ''}`;
        const title =
          c.kind === 'moved'
            ? `${view.device.name} port ${c.port}: neighbour ${c.after.name} moved here from port ${c.before.localPort}`
            : `${view.device.name} port ${c.port}: neighbour changed from ${was} to ${is}`;
        findings.push({
          device: view.device.name,
          interface: c.port,
          status: recent ? 'active' : 'clear',
          title: `${ctx.site.name}: ${recent ? title : `${view.device.name} port ${c.port}: ${c.after.name} is now its usual neighbour`}`,
          facts: [
            { label: 'Device', value: `${view.device.name} (${view.device.address})` },
            { label: 'Port', value: c.port },
            { label: 'Before', value: c.kind === 'moved' ? `${c.before.name} on port ${c.before.localPort}` : was },
            { label: 'Now', value: is },
            { label: 'Changed', value: `between ${clock(c.lastSeenBefore)} and ${clock(c.seenAfter)} (${c.protocol.toUpperCase()})` },
          ],
          ...(recent ? { since: c.seenAfter } : {}),
        });
      }
    }
    return findings;
  },
};
