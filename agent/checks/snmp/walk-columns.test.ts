import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snmpCheckSchema } from '../../../contract/index.ts';
import { makeTempDir, startSnmpd, startSnmpsim, type SnmpdServer, type SnmpsimServer, type TempDir } from '../../../test/harness/index.ts';
import { SnmpFailure, withSession, type SessionOptions, type SnmpSession } from './session.ts';

/**
 * walkColumns against real agents: snmpsimd playing a table whose columns end at different rows (one
 * missing, one sparse, one at the very end of the agent's MIB), and net-snmp's snmpd limited to a few
 * varbinds per GETBULK answer, or with a `pass` script that answers every GETNEXT with the same OID.
 */
const ENTRY = '1.3.6.1.4.1.99999.1.1';
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** Column -> its rows; .4 has none, and .20 (not .2's rows: the prefix must end at a dot) ends the MIB. */
const TABLE: Record<string, { rows: number[]; line: (oid: string, row: number) => string }> = {
  [`${ENTRY}.2`]: { rows: range(1, 25), line: (oid, r) => `${oid}|4|port ${r}` },
  [`${ENTRY}.3`]: { rows: [1, 3, 5], line: (oid, r) => `${oid}|2|${r * 10}` },
  [`${ENTRY}.4`]: { rows: [], line: () => '' },
  [`${ENTRY}.5`]: { rows: range(1, 40), line: (oid, r) => `${oid}|65|${r * 1000}` },
  [`${ENTRY}.20`]: { rows: range(2, 10), line: (oid, r) => `${oid}|2|${r}` },
};
const COLUMNS = Object.keys(TABLE);
const RECORDING = [
  '1.3.6.1.2.1.1.1.0|4|walk test',
  ...COLUMNS.flatMap((column) => TABLE[column]!.rows.map((r) => TABLE[column]!.line(`${column}.${r}`, r))),
].join('\n');
const expected = (column: string) => TABLE[column]!.rows.map((r) => `${column}.${r}`);

const SYS_OR_TABLE = '1.3.6.1.2.1.1.9.1';
const SYS_OR_COLUMNS = [`${SYS_OR_TABLE}.2`, `${SYS_OR_TABLE}.3`, `${SYS_OR_TABLE}.4`];
const LOOPING = '1.3.6.1.4.1.99999.1';
/** An snmpd `pass` script (snmpd.conf(5)) that answers every GETNEXT under LOOPING with the same object. */
const LOOP_SCRIPT = `#!/bin/sh
case "$1" in
  -g) [ "$2" = ".${LOOPING}.1" ] && printf '.${LOOPING}.1\\ninteger\\n1\\n' ;;
  -n) printf '.${LOOPING}.1\\ninteger\\n1\\n' ;;
esac
`;

function session<T>(target: { host: string; port: number }, community: string, version: '1' | '2c', use: (s: SnmpSession) => Promise<T>, options: Partial<SessionOptions> = {}) {
  const config = snmpCheckSchema.parse({ community, port: target.port, version, timeoutSeconds: 2, retries: 1 });
  return withSession(target.host, config, { budgetMs: 20_000, ...options }, use);
}

/** net-snmp's own snmpwalk, as the reference for what a column holds. */
function snmpwalk(snmpd: SnmpdServer, oid: string): string[] {
  const out = execFileSync('snmpwalk', ['-v2c', '-c', snmpd.community, '-m', '', '-On', '-Oq', `udp:${snmpd.host}:${snmpd.port}`, oid], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.startsWith('.'))
    .map((line) => line.slice(1, line.indexOf(' ')));
}

describe('walkColumns on snmpsimd', () => {
  let sim: SnmpsimServer;
  beforeAll(async () => {
    sim = await startSnmpsim({ recordings: [], extraFiles: { walkcols: RECORDING } });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  for (const version of ['1', '2c'] as const) {
    for (const maxVarbinds of [60, 7, 1]) {
      it(`SNMPv${version}, ${maxVarbinds} varbinds per request: each column stops at its own end, the last at the end of the MIB`, async () => {
        const walked = await session(sim, 'walkcols', version, (s) => s.walkColumns(COLUMNS), { maxVarbinds });
        expect(walked.map((column) => column.map((vb) => vb.oid))).toEqual(COLUMNS.map(expected));
        expect(walked[1]!.map((vb) => vb.value)).toEqual([10, 30, 50]);
        expect(String(walked[0]![24]!.value)).toBe('port 25');
      });
    }
  }

  it('gives the columns in the order asked, and a single walk the same as a one-column walk', async () => {
    const [reversed, single, subtree] = await session(sim, 'walkcols', '2c', async (s) => [
      await s.walkColumns([...COLUMNS].reverse()),
      await s.walk(`${ENTRY}.5`),
      await s.walk(ENTRY),
    ]);
    expect(reversed!.map((column) => column.length)).toEqual([...COLUMNS].reverse().map((c) => expected(c).length));
    expect(single).toHaveLength(40);
    expect(subtree).toHaveLength(COLUMNS.reduce((n, c) => n + expected(c).length, 0));
  });
});

describe('walkColumns on net-snmp snmpd', () => {
  let limited: SnmpdServer;
  let tiny: SnmpdServer;
  let looping: SnmpdServer;
  let temp: TempDir;
  beforeAll(async () => {
    temp = makeTempDir('walk-columns');
    const script = join(temp.path, 'loop.sh');
    writeFileSync(script, LOOP_SCRIPT, { mode: 0o755 });
    // At most 4 varbinds in a GETBULK answer, whatever was asked (snmpd.conf(5) maxGetbulkResponses).
    limited = await startSnmpd({ extraConfig: ['maxGetbulkResponses 4'] });
    // Fewer than the columns asked for: snmpd then answers a GETBULK with no varbinds at all.
    tiny = await startSnmpd({ extraConfig: ['maxGetbulkResponses 2'] });
    looping = await startSnmpd({ extraConfig: [`pass .${LOOPING} /bin/sh ${script}`] });
  });
  afterAll(async () => {
    await limited?.stop();
    await tiny?.stop();
    await looping?.stop();
    await temp?.remove();
  });

  it('a device that answers fewer repetitions than asked is walked to the end of every column', async () => {
    const walked = await session(limited, limited.community, '2c', (s) => s.walkColumns(SYS_OR_COLUMNS));
    expect(walked.map((column) => column.map((vb) => vb.oid))).toEqual(SYS_OR_COLUMNS.map((c) => snmpwalk(limited, c)));
    expect(walked[0]!.length).toBeGreaterThan(4);
  });

  it('a device that answers an empty GETBULK is asked for fewer varbinds until it answers', async () => {
    const walked = await session(tiny, tiny.community, '2c', (s) => s.walkColumns(SYS_OR_COLUMNS));
    expect(walked.map((column) => column.map((vb) => vb.oid))).toEqual(SYS_OR_COLUMNS.map((c) => snmpwalk(tiny, c)));
    expect(walked[0]!.length).toBeGreaterThan(2);
  });

  for (const version of ['1', '2c'] as const) {
    it(`SNMPv${version}: a device whose OIDs do not increase fails the walk instead of looping`, async () => {
      const failure = await session(looping, looping.community, version, (s) => s.walkColumns([SYS_OR_COLUMNS[0]!, LOOPING])).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(SnmpFailure);
      expect((failure as SnmpFailure).message).toBe('bad response: OID not increasing');
    });
  }
});
