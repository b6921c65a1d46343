import type { Sample, SamplesBatch } from '../../contract/index.ts';

/**
 * A samples batch as the contract's encodeMessage writes it (JSON.stringify of the batch), byte for byte, but
 * with each sample's `{"measurement":…,"tags":{…},"fields":` written once per tag set and reused: a school's
 * tag sets are the same objects every poll (schools.ts), and about half of the JSON is them. Only the
 * fields and the time are encoded per poll. batch.test.ts holds it equal to encodeMessage.
 */
const PREFIXES = new WeakMap<object, Map<string, string>>();

function prefixOf(s: Sample): string {
  let byMeasurement = PREFIXES.get(s.tags);
  if (byMeasurement === undefined) PREFIXES.set(s.tags, (byMeasurement = new Map()));
  let prefix = byMeasurement.get(s.measurement);
  if (prefix === undefined) {
    prefix = `{"measurement":${JSON.stringify(s.measurement)},"tags":${JSON.stringify(s.tags)},"fields":`;
    byMeasurement.set(s.measurement, prefix);
  }
  return prefix;
}

/** The batch's wire bytes; its keys in the contract's order (v, agent, site, seq, sentAt, samples), as encodeMessage would. */
export function encodeBatch(batch: SamplesBatch): Buffer {
  const { samples, ...head } = batch;
  const envelope = JSON.stringify({ ...head, samples: [] });
  const parts: string[] = [envelope.slice(0, -3), '['];
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    // Only the shape schools.ts makes (measurement, tags, fields, time): anything else is written whole.
    const k = Object.keys(s);
    const plain = k.length === 4 && k[0] === 'measurement' && k[1] === 'tags' && k[2] === 'fields' && k[3] === 'time';
    if (i > 0) parts.push(',');
    parts.push(plain ? `${prefixOf(s)}${JSON.stringify(s.fields)},"time":${JSON.stringify(s.time)}}` : JSON.stringify(s));
  }
  parts.push(']}');
  return Buffer.from(parts.join(''));
}
