import type { FieldValue } from '../../contract/index.ts';
import type { KeyKindMemory } from './learned.ts';

/**
 * The type of every field, fixed per measurement and field key, so that no agent can make InfluxDB refuse
 * another's points: InfluxDB 1.x fixes a field's type per shard by the first point written to it and refuses
 * ("field type conflict") every later point with another type, whoever sent it.
 *
 * - The agent's own fields are declared here: a sample carrying one with another type is rejected.
 * - Any other field (a newer agent's, a measurement this collector does not know) takes the type of the
 *   first accepted sample that carries it, for as long as the collector runs; a later sample with another
 *   type is rejected. Learned types are bounded (MAX_LEARNED); once full, a new undeclared field is refused.
 *
 * Numbers are always written as floats (line.ts), so a number is one type whether it is 1 or 1.5.
 *
 * Likewise a key is either a tag or a field in its measurement, never both: a field named `site` (or `device`)
 * makes InfluxQL read `WHERE site = '…'` as a condition on the field, so that every school's rows of that
 * measurement vanish from reports and dashboards. The agent's tag keys (DECLARED_TAG_KEYS) are never fields, in
 * any measurement; a declared field is never a tag; any other key is what its first accepted use made it.
 */
export type FieldType = 'number' | 'string' | 'boolean';
/** What a key is in its measurement: a tag, or a field of one type. */
export type KeyKind = FieldType | 'tag';

const numbers = (...keys: string[]) => keys.map((k) => [k, 'number'] as const);
const strings = (...keys: string[]) => keys.map((k) => [k, 'string'] as const);

/** Declared from the agent's checks (agent/checks, agent/host, agent/run.ts) and the rollups (retention-cq.ts). */
const DECLARED_TABLE: Readonly<Record<string, readonly (readonly [string, FieldType])[]>> = {
  ping: [...numbers('up', 'loss_pct', 'sent', 'received', 'rtt_min_ms', 'rtt_avg_ms', 'rtt_max_ms', 'jitter_ms'), ...strings('error')],
  snmp: [
    ...numbers('up', 'response_ms', 'uptime_s', 'interfaces', 'wireless_clients', 'wireless_aps'),
    ...strings('error', 'sys_descr', 'sys_name', 'sys_object_id'),
  ],
  device_info: strings('profiles', 'sys_object_id'),
  interface: [
    ...numbers(
      'oper_status',
      'admin_status',
      'speed_bps',
      'in_octets',
      'out_octets',
      'counter_bits',
      'in_bps',
      'out_bps',
      'utilisation_pct',
      'in_errors_ps',
      'out_errors_ps',
      'in_discards_ps',
      'out_discards_ps',
    ),
    ...strings('error'),
  ],
  host: [...numbers('processors', 'cpu_load_pct', 'memory_used_pct'), ...strings('error', 'cpu_source')],
  host_cpu: [...numbers('load_pct'), ...strings('error')],
  host_storage: [...numbers('size_bytes', 'used_bytes', 'used_pct'), ...strings('error')],
  ups: [
    ...numbers('on_battery', 'seconds_on_battery', 'battery_pct', 'runtime_min', 'battery_temp_c', 'input_voltage_v', 'output_voltage_v', 'load_pct'),
    ...strings('error', 'mib', 'battery_status'),
  ],
  pdu: [...numbers('current_a', 'power_w'), ...strings('error', 'load_state')],
  printer: [...numbers('device_status'), ...strings('error')],
  printer_supply: [...numbers('level_pct', 'level', 'max_capacity', 'supply_type', 'supply_class'), ...strings('error', 'level_state')],
  wireless: [...numbers('clients'), ...strings('error')],
  environment: [...numbers('temperature_c', 'humidity_pct'), ...strings('error')],
  // agent/traps/trap-sample.ts and agent/checks/snmp/profiles/neighbours.ts
  snmp_trap: [...strings('condition', 'state', 'severity', 'text', 'trap_oid', 'version', 'varbinds'), ['inform', 'boolean'] as const],
  neighbour: [...numbers('local_port_num'), ...strings('chassis_id', 'port_id', 'port_desc', 'sys_name', 'sys_desc', 'address')],
  agent_health: numbers(
    'uptime_s',
    'devices',
    'checks_run',
    'overlaps_skipped',
    'deadlines_missed',
    'check_failures',
    'batches_published',
    'batches_resent',
    'batches_unacked',
    'samples_waiting',
    'samples_invalid',
    'spool_batches',
    'spool_samples',
    'spool_bytes',
    'spool_dropped_batches',
    'spool_dropped_samples',
    'spool_errors',
    'connected',
    'disk_used_pct',
  ),
  agent_host: [...numbers('uptime_s', 'cpu_pct', 'mem_used_pct', 'temperature_c'), ...strings('error')],
  agent_host_disk: [...numbers('used_pct', 'size_bytes', 'used_bytes'), ...strings('error')],
  agent_host_interface: [...numbers('in_octets', 'out_octets', 'in_bps', 'out_bps'), ...strings('error')],
  // Written by the collector itself (COLLECTOR_MEASUREMENTS: an agent may not): ingest/report.ts, broker/report.ts.
  collector_ingest: numbers('batches', 'samples'),
  // collector/school-state/: one point per school each report interval, for the overview's tiles.
  school_state: numbers('ping_devices', 'ping_failed', 'snmp_devices', 'snmp_failed', 'state'),
  collector_broker: numbers(
    'connections',
    'connections_before_login',
    'connections_refused',
    'packets_refused',
    'publishes_slowed',
    'publishes_denied',
    'subscribes_denied',
    'messages_too_large',
    'login_failures',
    'logins_delayed',
    'revoked_disconnects',
  ),
};

/** The agent's tag keys (agent/checks, agent/host) and the collector's `site`: never field keys, anywhere. */
export const DECLARED_TAG_KEYS: ReadonlySet<string> = new Set([
  'site',
  'agent',
  'device',
  'role',
  'class',
  'vendor',
  'model',
  'interface',
  'if_index',
  'alias',
  'cpu',
  'storage',
  'storage_index',
  'kind',
  'supply',
  'supply_index',
  'colour',
  'printer_index',
  'ap',
  'radio',
  'band',
  'sensor',
  'sensor_index',
  'bank',
  'mount',
  'fs',
  'fs_type',
]);

/** Null-prototype maps: a measurement or key named like an Object.prototype member finds nothing. */
export const DECLARED_FIELD_TYPES: ReadonlyMap<string, ReadonlyMap<string, FieldType>> = new Map(
  Object.entries(DECLARED_TABLE).map(([m, fields]) => [m, new Map(fields)]),
);

/** Measurements the collector itself writes: an agent may not write them (they would pass for the collector's). */
export const COLLECTOR_MEASUREMENTS: ReadonlySet<string> = new Set(['collector_ingest', 'collector_broker', 'alert_event', 'alerts_open', 'device_state', 'agent_status', 'school_state']);

/** Undeclared (measurement, field) pairs remembered at most; beyond, new undeclared fields are refused. */
export const MAX_LEARNED = 20_000;

export const typeOf = (value: FieldValue): FieldType => (typeof value === 'number' ? 'number' : typeof value === 'string' ? 'string' : 'boolean');

/**
 * `learns`: some key of the sample is not known yet, so learn() has something to fix once it is kept; when
 * every key is known (nearly every sample) the caller skips learn() and its second pass over the keys.
 */
export type FieldVerdict =
  | { ok: true; learns: boolean }
  | { ok: false; reason: 'field-type'; key: string; expected: FieldType | 'a known field'; got: FieldType }
  | { ok: false; reason: 'key-conflict'; key: string; expected: KeyKind; got: KeyKind };

// Shared, frozen verdicts: check() runs for every sample and allocates nothing when it passes.
const KNOWN: FieldVerdict = Object.freeze({ ok: true, learns: false });
const LEARNS: FieldVerdict = Object.freeze({ ok: true, learns: true });

export class FieldTypes {
  /** Per measurement, per key; `size` counts the keys across all measurements. */
  private readonly learned = new Map<string, Map<string, KeyKind>>();
  private size = 0;
  /** With a memory (learned.ts), what earlier runs learned is known from the start, and what this run learns is kept. */
  constructor(
    private readonly maxLearned = MAX_LEARNED,
    private readonly memory?: KeyKindMemory,
  ) {
    for (const [measurement, key, kind] of memory?.kinds ?? []) {
      if (DECLARED_TAG_KEYS.has(key) || DECLARED_FIELD_TYPES.get(measurement)?.has(key) || this.size >= maxLearned) continue;
      let learned = this.learned.get(measurement);
      if (learned === undefined) this.learned.set(measurement, (learned = new Map()));
      if (learned.has(key)) continue;
      learned.set(key, kind);
      this.size++;
    }
  }

  /** Whether every tag key is a tag and every field has its type in this measurement; learns nothing (see learn). */
  check(measurement: string, fields: Readonly<Record<string, unknown>>, tags: Readonly<Record<string, string>> = {}): FieldVerdict {
    // Hot path (every sample): the measurement's tables are found once, keys are looked up without allocating.
    const declared = DECLARED_FIELD_TYPES.get(measurement);
    const learned = this.learned.get(measurement);
    let unknown = 0;
    let firstUnknown: string | undefined;
    for (const key in tags) {
      const expected = DECLARED_TAG_KEYS.has(key) ? 'tag' : (declared?.get(key) ?? learned?.get(key));
      if (expected === undefined) {
        unknown++;
        firstUnknown ??= key;
      } else if (expected !== 'tag') return { ok: false, reason: 'key-conflict', key, expected, got: 'tag' };
    }
    for (const key in fields) {
      const value = fields[key] as FieldValue;
      const got: FieldType = typeof value === 'number' ? 'number' : typeof value === 'string' ? 'string' : 'boolean';
      const expected = DECLARED_TAG_KEYS.has(key) ? 'tag' : (declared?.get(key) ?? learned?.get(key));
      if (expected === undefined) {
        unknown++;
        firstUnknown ??= key;
      } else if (expected === 'tag') return { ok: false, reason: 'key-conflict', key, expected, got };
      else if (expected !== got) return { ok: false, reason: 'field-type', key, expected, got };
    }
    if (unknown > 0 && this.size + unknown > this.maxLearned) {
      const key = firstUnknown!;
      return { ok: false, reason: 'field-type', key, expected: 'a known field', got: key in fields ? typeOf(fields[key] as FieldValue) : 'string' };
    }
    return unknown > 0 ? LEARNS : KNOWN;
  }

  /** Fixes the kind of each key of an accepted sample that is not declared (the first use wins). */
  learn(measurement: string, fields: Readonly<Record<string, unknown>>, tags: Readonly<Record<string, string>> = {}): void {
    const declared = DECLARED_FIELD_TYPES.get(measurement);
    let learned = this.learned.get(measurement);
    const fix = (key: string, kind: KeyKind) => {
      if (DECLARED_TAG_KEYS.has(key) || declared?.has(key) || learned?.has(key) || this.size >= this.maxLearned) return;
      if (learned === undefined) this.learned.set(measurement, (learned = new Map()));
      learned.set(key, kind);
      this.size++;
      this.memory?.remember(measurement, key, kind);
    };
    for (const key in tags) fix(key, 'tag');
    for (const key in fields) fix(key, typeOf(fields[key] as FieldValue));
  }

  get learnedCount(): number {
    return this.size;
  }
}
