import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../contract/index.ts';
import { CORPUS_DIR } from '../harness/index.ts';
import { corpusIndex, pollRecording, type CorpusEntry } from './oracle-poll.ts';

/**
 * Issue 13, the last two readings, against LibreNMS's own test data for all 877 corpus recordings:
 * PDU current per phase/bank (`pdu`) and the vendor's CPU figure (`host.cpu_load_pct`, `host_cpu`).
 */
interface OracleRaw {
  device: { type: string; os: string };
  sensors?: { sensor_class: string; sensor_descr: string; sensor_oid: string; sensor_current: number | null }[];
  processors?: { processor_type: string; processor_index: string | number; processor_usage: number }[];
}
interface Polled {
  entry: CorpusEntry;
  oracle: OracleRaw;
  samples: Sample[];
  cls: string;
}
const polled: Polled[] = [];
/** APC rPDULoadStatusLoad and CyberPower's ePDULoadStatusLoad columns. */
const PDU_LOADS = ['1.3.6.1.4.1.318.1.1.12.2.3.1.1.2.', '1.3.6.1.4.1.3808.1.1.3.2.3.1.1.2.'];

beforeAll(async () => {
  for (const entry of corpusIndex()) {
    const device = await pollRecording(entry.name);
    const oracle = JSON.parse(readFileSync(`${CORPUS_DIR}/oracle/${entry.name}.json`, 'utf8')) as OracleRaw;
    polled.push({ entry, oracle, samples: device.samples, cls: device.detection.classification.class });
  }
}, 120_000);

/** LibreNMS names the rPDU rows "Phase n", "Bank n", or "Output" on a single-phase unit. */
function rowOf(descr: string): { kind: string; bank: string } {
  const m = /^(Phase|Bank)\s+(\d+)/i.exec(descr);
  return m === null ? { kind: 'phase', bank: '1' } : { kind: m[1]!.toLowerCase(), bank: m[2]! };
}

describe('PDU load per phase and bank against the oracle', () => {
  it("equals LibreNMS's APC rPDU and CyberPower ePDU current sensors (within the 0.1 A resolution)", () => {
    const compared: string[] = [];
    const wrong: string[] = [];
    let exact = 0;
    for (const p of polled) {
      for (const s of p.oracle.sensors ?? []) {
        const oid = s.sensor_oid.replace(/^\./, '');
        const column = PDU_LOADS.find((c) => oid.startsWith(c));
        if (s.sensor_class !== 'current' || column === undefined) continue;
        // LibreNMS calls CyberPower's rows "Input"; without phase/bank numbers a row is phase <index>.
        const want = column.includes('.3808.') ? { kind: 'phase', bank: oid.slice(column.length) } : rowOf(s.sensor_descr);
        const ours = p.samples.find((x) => x.measurement === 'pdu' && x.tags.kind === want.kind && x.tags.bank === want.bank)?.fields.current_a;
        compared.push(p.entry.name);
        if (ours === s.sensor_current) exact++;
        // rPDU2 phases are read in place of rPDULoadStatus (they add power and a state): the two tables are
        // sampled at different moments, so a tenth apart is the same reading (apc_ap7900b: 27 vs 28).
        if (typeof ours !== 'number' || s.sensor_current === null || Math.abs(ours - s.sensor_current) > 0.1 + 1e-9) {
          wrong.push(`${p.entry.name} ${s.sensor_descr}: expected ${s.sensor_current}, got ${String(ours)}`);
        }
      }
    }
    console.log(`pdu: ${compared.length - wrong.length} of ${compared.length} LibreNMS APC/CyberPower PDU currents equal within 0.1 A (${exact} exactly), on ${new Set(compared).size} PDUs`);
    expect(wrong).toEqual([]);
    expect(compared.length).toBeGreaterThanOrEqual(4);
  });

  it('no pdu rows on anything that is not a PDU: UPSes, switches, servers...', () => {
    const withPdu = polled.filter((p) => p.samples.some((s) => s.measurement === 'pdu'));
    const stray = withPdu.filter((p) => p.entry.type !== 'power' || p.samples.some((s) => s.measurement === 'ups'));
    console.log(`pdu: rows from ${withPdu.length} recordings (${withPdu.map((p) => p.entry.name).join(', ')})`);
    expect(stray.map((p) => p.entry.name)).toEqual([]);
    const ups = polled.filter((p) => p.samples.some((s) => s.measurement === 'ups'));
    expect(ups.length).toBeGreaterThan(20);
  });

  it('a PDU phase at 0 A is stored as 0, not left out', () => {
    const zero = polled.flatMap((p) => p.samples).filter((s) => s.measurement === 'pdu' && s.fields.current_a === 0);
    expect(zero.length).toBeGreaterThan(0);
  });
});

describe("the vendor's CPU figure against the oracle", () => {
  it("Cisco cpmCPUTotal5minRev and Fortinet fgSysCpuUsage equal LibreNMS's processors", () => {
    const compared: string[] = [];
    const wrong: string[] = [];
    for (const p of polled) {
      for (const proc of p.oracle.processors ?? []) {
        const index = String(proc.processor_index);
        let ours: unknown;
        if (proc.processor_type === 'cpm' && /^\d+$/.test(index)) {
          ours = p.samples.find((s) => s.measurement === 'host_cpu' && s.tags.cpu === index && p.samples.some((h) => h.fields.cpu_source === 'cisco_process_mib'))?.fields.load_pct;
        } else if (proc.processor_type === 'fortigate-fixed') {
          ours = p.samples.find((s) => s.measurement === 'host')?.fields.cpu_load_pct;
        } else continue;
        compared.push(`${p.entry.name} ${proc.processor_type} ${index}`);
        if (ours !== proc.processor_usage) wrong.push(`${p.entry.name} ${proc.processor_type} ${index}: expected ${proc.processor_usage}, got ${String(ours)}`);
      }
    }
    console.log(`cpu: ${compared.length - wrong.length} of ${compared.length} LibreNMS vendor processors (cpm, fortigate-fixed) equal`);
    console.log(wrong.join('\n'));
    expect(compared.length).toBeGreaterThanOrEqual(10);
    expect(wrong).toEqual([]);
  });

  it('cpu_source only where the vendor object answered; HOST-RESOURCES devices of other makes keep theirs', () => {
    const sourced = polled.filter((p) => p.samples.some((s) => s.measurement === 'host' && s.fields.cpu_source !== undefined));
    const notVendor = sourced.filter((p) => !/cisco|ios|nxos|forti/i.test(p.entry.os));
    console.log(`cpu: vendor figure on ${sourced.length} recordings; not Cisco/Fortinet: ${notVendor.map((p) => p.entry.name).join(', ') || 'none'}`);
    expect(notVendor.map((p) => p.entry.name)).toEqual([]);
    const hr = polled.filter((p) => p.samples.some((s) => s.measurement === 'host' && s.fields.cpu_source === undefined && s.fields.cpu_load_pct !== undefined));
    expect(hr.length).toBeGreaterThan(100);
  });
});
