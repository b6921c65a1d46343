import { createHash } from 'node:crypto';
import type { Recipient, Severity } from '../../notify/notification.ts';
import type { Fact, RuleId } from '../rules/index.ts';

/** Why a firing alert pages no one right now (it is still recorded, and still resolved). */
export type MuteReason = 'inhibited' | 'silenced' | 'maintenance' | 'out-of-hours' | 'flapping';

/** What an alert is about: one rule on one subject. */
export interface AlertSubject {
  rule: RuleId;
  site: string;
  device?: string;
  interface?: string;
  instance?: string;
}

/** One problem of one rule on one subject, from pending to resolved: an incident. */
export interface Alert extends AlertSubject {
  /** Short, stable, unique per incident: what `alerts ack <id>` and the acknowledge link name. */
  id: string;
  key: string;
  severity: Severity;
  period: 'always' | 'school-hours';
  title: string;
  facts: Fact[];
  state: 'pending' | 'firing' | 'resolved';
  /** When the condition began. */
  since: number;
  firingAt?: number;
  resolvedAt?: number;
  muted?: MuteReason;
  /** What mutes it: the silence id, the maintenance window, the parent device, "site offline". */
  mutedBy?: string;
  /** The maintenance window it fired in, kept after the window ends: the outage was planned. */
  maintenance?: string;
  /** A firing message went out: from now on it gets its resolved message, whatever mutes it later. */
  notified: boolean;
  /** How far up the on-call order it has gone (0: the first contact). */
  level: number;
  /** Messages decided for it so far (numbers each message's id). */
  sent: number;
  lastSentAt?: number;
  /** When it last went to a new contact (first message or escalation). */
  levelAt?: number;
  resolvedSent: boolean;
  /** Everyone who got a message about it: they all get the resolved one. */
  recipients: Recipient[];
  ackedBy?: string;
  ackedAt?: number;
}

/** Just the subject of an alert or a finding, without undefined fields. */
export function subjectOf(rule: AlertSubject['rule'], site: string, f: { device?: string | undefined; interface?: string | undefined; instance?: string | undefined }): AlertSubject {
  return {
    rule,
    site,
    ...(f.device !== undefined ? { device: f.device } : {}),
    ...(f.interface !== undefined ? { interface: f.interface } : {}),
    ...(f.instance !== undefined ? { instance: f.instance } : {}),
  };
}

export function alertKey(s: AlertSubject): string {
  return [s.site, s.rule, s.device ?? '', s.interface ?? '', s.instance ?? ''].join('|');
}

/** 10 hex digits of a hash of the subject and the start: the same incident gets the same id after a restart. */
export function alertId(key: string, since: number): string {
  return createHash('sha256').update(`${key}@${since}`).digest('hex').slice(0, 10);
}
