import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, progressLine } from './progress.ts';

function capture(isTTY: boolean) {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        text += String(chunk);
        done();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => text };
}

describe('progress', () => {
  it('formats a bar and a plain line', () => {
    expect(progressLine('ping', 127, 254, 12, true)).toBe(`ping [${'#'.repeat(15)}${'.'.repeat(15)}] 127/254, 12 answered`);
    expect(progressLine('snmp', 3, 12, 2, false)).toBe('discover: snmp 3/12, 2 answered');
    expect(progressLine('snmp', 0, 0, 0, true)).toContain(`[${'#'.repeat(30)}]`);
  });
  it('redraws one line on a terminal', () => {
    const out = capture(true);
    const p = createProgress(out.stream);
    p.start('ping', 4);
    for (let i = 1; i <= 4; i++) p.update(i, i - 1);
    p.finish();
    expect(out.text().split('\r').length).toBe(6);
    expect(out.text().endsWith('4/4, 3 answered\x1b[K\n')).toBe(true);
  });
  it('writes a line per tenth otherwise', () => {
    const out = capture(false);
    const p = createProgress(out.stream);
    p.start('ping', 100);
    for (let i = 1; i <= 100; i++) p.update(i, 0);
    p.finish();
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines.at(-1)).toBe('discover: ping 100/100, 0 answered');
    expect(out.text()).not.toContain('\r');
  });
});
