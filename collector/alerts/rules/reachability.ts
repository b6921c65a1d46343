import type { Device } from '../../../contract/index.ts';
import type { DeviceView, Finding, Rule, RuleContext } from './rule.ts';
import { num, round, thresholdRule } from './rule.ts';

const deviceFacts = (device: Device) => [
  { label: 'Device', value: `${device.name} (${device.address})` },
  { label: 'Role', value: device.role },
  ...(device.parent !== undefined ? [{ label: 'Reached through', value: device.parent }] : []),
];

/** Not answering its deciding check while everything it is reached through answers. */
export const deviceDown: Rule = {
  id: 'device-down',
  evaluate(ctx) {
    const findings: Finding[] = [];
    for (const view of ctx.devices) {
      if (view.state === 'unknown' || !ctx.settings('device-down', view.device).enabled) continue;
      const status = view.state === 'down' ? 'active' : view.state === 'unreachable' ? 'hold' : 'clear';
      findings.push({
        device: view.device.name,
        status,
        title: `${ctx.site.name}: ${view.device.name} is ${status === 'clear' ? 'up' : view.state}`,
        facts: deviceFacts(view.device),
      });
    }
    return findings;
  },
};

const pinged = (_s: unknown, view: DeviceView) => (view.device.checks.ping !== undefined ? {} : undefined);

export const highLoss = thresholdRule({
  id: 'high-loss',
  measurement: 'ping',
  value: (s) => (num(s, 'up') === 1 ? num(s, 'loss_pct') : undefined),
  subject: pinged,
  describe: (_s, device, value, limit, active) => `${device} ${active ? 'is losing' : 'loses'} ${round(value)} % of pings (limit ${limit} %)`,
});

export const highLatency = thresholdRule({
  id: 'high-latency',
  measurement: 'ping',
  value: (s) => (num(s, 'up') === 1 ? num(s, 'rtt_avg_ms') : undefined),
  subject: pinged,
  describe: (_s, device, value, limit) => `${device} answers in ${round(value)} ms (limit ${limit} ms)`,
});

/** Pings answered but SNMP not: a changed community, a crashed agent on the device, an ACL. */
export const snmpNotAnswering: Rule = {
  id: 'snmp-not-answering',
  evaluate(ctx: RuleContext) {
    const findings: Finding[] = [];
    for (const view of ctx.devices) {
      const { device } = view;
      if (device.checks.ping === undefined || device.checks.snmp === undefined) continue;
      if (view.state === 'unknown' || !ctx.settings('snmp-not-answering', device).enabled) continue;
      const snmp = view.fresh('snmp')[0];
      if (snmp === undefined) continue;
      const answering = num(snmp, 'up') === 1;
      const status = view.state === 'down' || view.state === 'unreachable' ? 'hold' : answering ? 'clear' : 'active';
      const error = snmp.fields.error;
      findings.push({
        device: device.name,
        status,
        title: `${ctx.site.name}: ${device.name} ${answering ? 'answers' : 'does not answer'} SNMP${status === 'active' ? ' but answers ping' : ''}`,
        facts: [...deviceFacts(device), ...(typeof error === 'string' ? [{ label: 'SNMP error', value: error }] : [])],
      });
    }
    return findings;
  },
};
