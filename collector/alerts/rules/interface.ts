import type { Sample } from '../../../contract/index.ts';
import type { DeviceView, RuleContext } from './rule.ts';
import { conditionRule, num, round, thresholdRule } from './rule.ts';

// RFC 2863 ifOperStatus: 1 up, 2 down, 3 testing, 4 unknown, 5 dormant, 6 notPresent, 7 lowerLayerDown.
// ifAdminStatus: 1 up, 2 down, 3 testing.
const OPER_DOWN = new Set([2, 6, 7]);
const OPER_NOT_DOWN = new Set([1, 3, 5]);
const ADMIN_UP = 1;

const uplink = (s: Sample, view: DeviceView, ctx: RuleContext) => {
  const name = s.tags.interface;
  return name !== undefined && ctx.site.alerts.uplinks[view.device.name]?.includes(name) ? { interface: name } : undefined;
};

/**
 * An uplink (listed in the site's `alerts.uplinks`) whose link is down while its admin status is up. A port
 * shut on purpose (admin down or testing) is not a fault; testing and dormant (waiting for an external
 * event, RFC 2863 §3.1.12) are not "down"; oper unknown(4) or absent cannot be judged.
 */
export const interfaceDown = conditionRule({
  id: 'interface-down',
  measurement: 'interface',
  subject: uplink,
  holds: (s) => {
    const oper = num(s, 'oper_status');
    const admin = num(s, 'admin_status');
    if (oper === undefined) return undefined;
    // Without ifAdminStatus the port is taken as meant to be up, as RFC 2863 makes up(1) its normal state.
    if (admin !== undefined && admin !== ADMIN_UP) return false;
    if (OPER_DOWN.has(oper)) return true;
    return OPER_NOT_DOWN.has(oper) ? false : undefined;
  },
  describe: (sub, device, active) => `${device} uplink ${sub.interface} is ${active ? 'down' : 'up'}`,
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
  subject: anyInterface,
  describe: (sub, device, value, limit) => `${device} ${sub.interface} has ${round(value, 2)} errors/s (limit ${limit})`,
});

/** Sustained (the rule's `for`) utilisation of an uplink: the school's link is full. */
export const interfaceUtilisation = thresholdRule({
  id: 'interface-utilisation',
  measurement: 'interface',
  value: (s) => num(s, 'utilisation_pct'),
  subject: uplink,
  describe: (sub, device, value, limit) => `${device} uplink ${sub.interface} at ${round(value)} % of its speed (limit ${limit} %)`,
});
