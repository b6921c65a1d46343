import type { Sample } from '../../../contract/index.ts';
import type { DeviceView, RuleContext } from './rule.ts';
import { num, round, thresholdRule } from './rule.ts';

// RFC 2863 ifOperStatus / ifAdminStatus: 1 up, 2 down, 3 testing, 5 dormant, 7 lowerLayerDown.
const UP = 1;

const uplink = (s: Sample, view: DeviceView, ctx: RuleContext) => {
  const name = s.tags.interface;
  return name !== undefined && ctx.site.alerts.uplinks[view.device.name]?.includes(name) ? { interface: name } : undefined;
};

/** An uplink (listed in the site's `alerts.uplinks`) whose link is down although it is not shut down on purpose. */
export const interfaceDown = thresholdRule({
  id: 'interface-down',
  measurement: 'interface',
  // 1 when the link is down while the admin wants it up; a port shut on purpose (admin down) is not a fault.
  value: (s) => {
    const oper = num(s, 'oper_status');
    if (oper === undefined || num(s, 'admin_status') === 2) return undefined;
    return oper === UP ? 0 : 1;
  },
  direction: 'above',
  subject: uplink,
  describe: (sub, device, _v, _l, active) => `${device} uplink ${sub.interface} is ${active ? 'down' : 'up'}`,
  unit: '',
});

const anyInterface = (s: Sample) => (s.tags.interface !== undefined ? { interface: s.tags.interface } : undefined);

export const interfaceErrors = thresholdRule({
  id: 'interface-errors',
  measurement: 'interface',
  value: (s) => {
    const i = num(s, 'in_errors_ps');
    const o = num(s, 'out_errors_ps');
    return i === undefined && o === undefined ? undefined : (i ?? 0) + (o ?? 0);
  },
  direction: 'above',
  subject: anyInterface,
  describe: (sub, device, value, limit) => `${device} ${sub.interface} has ${round(value, 2)} errors/s (limit ${limit})`,
  unit: 'errors/s',
});

/** Sustained (the rule's `for`) utilisation of an uplink: the school's link is full. */
export const interfaceUtilisation = thresholdRule({
  id: 'interface-utilisation',
  measurement: 'interface',
  value: (s) => num(s, 'utilisation_pct'),
  direction: 'above',
  subject: uplink,
  describe: (sub, device, value, limit) => `${device} uplink ${sub.interface} at ${round(value)} % of its speed (limit ${limit} %)`,
  unit: '%',
});
