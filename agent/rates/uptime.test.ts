import { describe, expect, it } from 'vitest';
import { TIMETICKS_MODULUS, uptimeRestarted } from './uptime.ts';

describe('uptimeRestarted', () => {
  it('is false while sysUpTime moves forward or stands still', () => {
    expect(uptimeRestarted(1_000, 7_000, 60_000)).toBe(false);
    expect(uptimeRestarted(1_000, 1_000, 60_000)).toBe(false);
  });

  it('is true when sysUpTime went back', () => {
    expect(uptimeRestarted(8_640_000, 4_500, 60_000)).toBe(true);
    expect(uptimeRestarted(7_000, 6_999, 60_000)).toBe(true);
  });

  it('is false across the TimeTicks wrap at 2^32 centiseconds', () => {
    expect(uptimeRestarted(TIMETICKS_MODULUS - 3_000, 3_000, 60_000)).toBe(false);
    // Device clock a few seconds off the agent's.
    expect(uptimeRestarted(TIMETICKS_MODULUS - 3_000, 3_500, 60_000)).toBe(false);
    expect(uptimeRestarted(TIMETICKS_MODULUS - 1, 0, 10)).toBe(false);
  });

  it('is true when the step back does not match the wrap', () => {
    expect(uptimeRestarted(TIMETICKS_MODULUS - 3_000, 500_000, 60_000)).toBe(true);
    expect(uptimeRestarted(TIMETICKS_MODULUS - 100_000, 5, 60_000)).toBe(true);
  });
});
