/** sysUpTime is TimeTicks (RFC 2578 §7.1.8): hundredths of a second, modulo 2^32, so it wraps after ~497 days. */
export const TIMETICKS_MODULUS = 2 ** 32;

/**
 * Did the device's management agent restart between two readings of sysUpTime (RFC 3418)? It did if
 * sysUpTime went back, unless the step back is the TimeTicks wrap: the old value plus the elapsed wall-clock
 * time passes 2^32 and lands near the new value. The tolerance covers device clock drift and poll jitter.
 */
export function uptimeRestarted(prevCs: number, curCs: number, elapsedMs: number): boolean {
  if (curCs >= prevCs) return false;
  const elapsedCs = Math.max(0, elapsedMs / 10);
  if (prevCs + elapsedCs < TIMETICKS_MODULUS - wrapTolerance(elapsedCs)) return true;
  const expected = (prevCs + elapsedCs) % TIMETICKS_MODULUS;
  const distance = Math.min(Math.abs(curCs - expected), TIMETICKS_MODULUS - Math.abs(curCs - expected));
  return distance > wrapTolerance(elapsedCs);
}

/** 10 s, or a tenth of the interval for long gaps. */
function wrapTolerance(elapsedCs: number): number {
  return Math.max(1_000, elapsedCs / 10);
}
