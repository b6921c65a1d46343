import type { DeviceClass } from '../../agent/checks/snmp/profiles/classify.ts';

/**
 * Where this project and LibreNMS disagree and the recording shows LibreNMS is wrong: one line of the
 * recording each (its start: `oid|tag|value`), checked to be in the file by oracle.test.ts.
 */
export interface ClassDisagreement {
  name: string;
  /** Our class, which the test checks is still what the classifier says. */
  ours: DeviceClass;
  line: string;
  why: string;
}

export const CLASS_DISAGREEMENTS: readonly ClassDisagreement[] = [];

/** A value disagreement: `what` is the start of the compared item's description in oracle-compare.ts. */
export interface ValueDisagreement {
  name: string;
  what: string;
  line: string;
  why: string;
}

export const VALUE_DISAGREEMENTS: readonly ValueDisagreement[] = [];
