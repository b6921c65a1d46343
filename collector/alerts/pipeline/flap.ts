/** Flap damping settings, in milliseconds. */
export interface FlapSettings {
  windowMs: number;
  changes: number;
  quietMs: number;
}

/**
 * One alert's condition changes (clear → active or back). A subject starts as clear, so its first going
 * active counts as a change. Not flapping, `changes` holds the changes within the window; `changes` of
 * them make it flapping, and it stays so until it has held one state for `quiet` — however long ago the
 * changes that started it left the window. Pure data.
 */
export interface FlapEntry {
  active: boolean;
  changes: number[];
  /** `changes` changes fell within one window during this run: flapping until it holds one state for `quiet`. */
  flapping: boolean;
}
export type FlapHistory = Map<string, FlapEntry>;

const same = (a: FlapEntry | undefined, b: FlapEntry | undefined) => JSON.stringify(a) === JSON.stringify(b);

/** Records the condition now; true when the subject's entry changed (and so needs saving). */
export function recordChange(history: FlapHistory, key: string, active: boolean, now: number, settings: FlapSettings): boolean {
  const before = history.get(key);
  let changes = before?.changes ?? [];
  let flapping = before?.flapping ?? false;
  const last = changes[changes.length - 1];
  // Flapping, it held one state for `quiet`: the flapping is over, and its changes are not counted again.
  if (flapping && last !== undefined && now - last >= settings.quietMs) {
    changes = [];
    flapping = false;
  }
  if ((before?.active ?? false) !== active) changes = [...changes, now];
  const n = settings.changes;
  if (!flapping && changes.length >= n && changes[changes.length - 1]! - changes[changes.length - n]! <= settings.windowMs) flapping = true;
  // Bounded: a flapping run needs only its last change; a calm one only the changes a new window could count.
  changes = flapping ? changes.slice(-1) : changes.filter((t) => now - t <= settings.windowMs);
  if (!active && changes.length === 0 && !flapping) history.delete(key);
  else history.set(key, { active, changes, flapping });
  return !same(before, history.get(key));
}

/**
 * Flapping: `changes` changes within one window, and since then never one state held for `quiet`. A new
 * incident of a flapping alert pages no one; once it has held one state for `quiet`, it pages as usual.
 */
export function isFlapping(history: FlapHistory, key: string, now: number, settings: FlapSettings): boolean {
  const entry = history.get(key);
  const last = entry?.changes[entry.changes.length - 1];
  return entry !== undefined && entry.flapping && last !== undefined && now - last < settings.quietMs;
}
