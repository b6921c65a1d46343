import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snmpCommunityCheckSchema } from '../../contract/index.ts';
import { withSession } from '../../agent/checks/snmp/session.ts';
import { readNeighbours, type Neighbour } from '../../agent/checks/snmp/profiles/neighbours.ts';
import { startSnmpsimEndpoints, type SnmpsimEndpoints } from '../harness/index.ts';
import { decodeEntry, parseSnmprec, type RecordingEntry } from '../harness/snmprec.ts';
import { sharedPath } from '../harness/shared.ts';

/**
 * Every corpus recording that answers LLDP (lldpRemTable) or CDP (cdpCacheTable), served by snmpsimd and
 * read by the neighbours profile: each neighbour row equals the recording's own lines, read here by a
 * separate, plain parse of those lines.
 */
const CORPUS = sharedPath('corpus', 'recordings');
const LLDP_REM = '1.0.8802.1.1.2.1.4.1.1.';
const CDP_CACHE = '1.3.6.1.4.1.9.9.23.1.2.1.1.';
const files = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.snmprec'))
  .map((f) => ({ name: f.slice(0, -8), text: readFileSync(join(CORPUS, f), 'utf8') }))
  .filter((r) => r.text.includes(`\n${LLDP_REM}5.`) || r.text.includes(`\n${CDP_CACHE}6.`));

interface Expected {
  protocol: 'lldp' | 'cdp';
  localPortNum: number;
  sysName?: string;
  chassisBytes?: Buffer;
}

/** The rows a reader must find: a remote chassis id (and for LLDP a port id) present, per the MIB's index. */
function expectedRows(entries: RecordingEntry[]): Expected[] {
  const cells = new Map<string, Map<number, RecordingEntry>>();
  const add = (table: string, column: number, index: string, e: RecordingEntry) => {
    const key = `${table}|${index}`;
    if (!cells.has(key)) cells.set(key, new Map());
    cells.get(key)!.set(column, e);
  };
  for (const e of entries) {
    for (const [table, prefix] of [['lldp', LLDP_REM], ['cdp', CDP_CACHE]] as const) {
      if (!e.oid.startsWith(prefix)) continue;
      const [column, ...index] = e.oid.slice(prefix.length).split('.');
      add(table, Number(column), index.join('.'), e);
    }
  }
  const out: Expected[] = [];
  for (const [key, row] of cells) {
    const [protocol, index] = key.split('|') as ['lldp' | 'cdp', string];
    const text = (c: number) => {
      const e = row.get(c);
      if (e === undefined) return undefined;
      const v = decodeEntry(e);
      return 'text' in v ? v.text.replace(/\u0000+$/, '').trim() || undefined : undefined;
    };
    if (protocol === 'lldp') {
      const chassis = row.get(5);
      const portId = row.get(7);
      if (chassis === undefined || portId === undefined) continue;
      const cv = decodeEntry(chassis);
      const pv = decodeEntry(portId);
      if (!('bytes' in cv) || cv.bytes.length === 0 || !('bytes' in pv) || pv.bytes.length === 0) continue;
      // Placeholders, not neighbours: pmp.snmprec answers one row `…4.1.1.4.1|2|0`, `…4.1.1.5.1|4x|00000000`
      // (chassis id subtype 0 is outside LldpChassisIdSubtype 1..7, the id all zero, no port in the index).
      const subtype = row.get(4) ? Number(row.get(4)!.raw) : undefined;
      if (index.split('.').length < 2 || (subtype !== undefined && (subtype < 1 || subtype > 7)) || cv.bytes.every((b) => b === 0)) continue;
      const sysName = text(9);
      // lldpRemTimeMark.lldpRemLocalPortNum.lldpRemIndex; jetstream_vlans leaves out the time mark.
      out.push({ protocol, localPortNum: Number(index.split('.').at(-2)), chassisBytes: cv.bytes, ...(sysName ? { sysName } : {}) });
    } else {
      const id = text(6);
      if (id === undefined) continue;
      out.push({ protocol, localPortNum: Number(index.split('.')[0]), sysName: id });
    }
  }
  return out;
}

let sim: SnmpsimEndpoints;
beforeAll(async () => {
  sim = await startSnmpsimEndpoints(files.map((f, k) => ({ host: `127.0.84.${k + 1}`, text: f.text })));
}, 180_000);
afterAll(async () => {
  await sim?.stop();
});

describe('LLDP and CDP neighbours of the corpus recordings', () => {
  it('covers the recordings that answer LLDP or CDP', () => {
    expect(files.length).toBeGreaterThanOrEqual(50);
  });

  it('reads every neighbour row as the recording holds it', async () => {
    const config = snmpCommunityCheckSchema.parse({ community: sim.community, port: sim.port, timeoutSeconds: 5, retries: 1 });
    let rows = 0;
    for (const [k, file] of files.entries()) {
      const read: Neighbour[] = await withSession(`127.0.84.${k + 1}`, config, { budgetMs: 60_000 }, readNeighbours);
      const expected = expectedRows(parseSnmprec(file.text, file.name));
      expect(read.length, file.name).toBe(expected.length);
      for (const e of expected) {
        const same = (n: Neighbour) =>
          n.protocol === e.protocol &&
          n.localPortNum === e.localPortNum &&
          n.sysName === e.sysName &&
          // A MAC chassis id reads as aa:bb:..., whatever its subtype says: compare the octets.
          (e.chassisBytes?.length !== 6 || !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(n.chassisId) || n.chassisId.replaceAll(':', '') === e.chassisBytes.toString('hex'));
        expect(read.some(same), `${file.name}: ${e.protocol} neighbour on port ${e.localPortNum} (${e.sysName})`).toBe(true);
      }
      rows += read.length;
    }
    // eslint-disable-next-line no-console -- the figure the closing note quotes
    process.stdout.write(`neighbours: ${files.length} recordings, ${rows} rows read and matched\n`);
  }, 180_000);
});
