/** Flap damping settings, in milliseconds. */
export interface FlapSettings {
  windowMs: number;
  changes: number;
  quietMs: number;
}

/**
 * The times one alert's condition changed (clear → active or back). A subject starts as clear, so its
 * first going active counts as a change. Pure data, trimmed to the window as it goes.
 */
export type FlapHistory = Map<string, { active: boolean; changes: number[] }>;

/** Records the condition now; true when the subject's entry changed (and so needs saving). */
export function recordChange(history: FlapHistory, key: string, active: boolean, now: number, settings: FlapSettings): boolean {
  const before = history.get(key);
  const changes = (before?.changes ?? []).filter((t) => now - t <= settings.windowMs);
  if ((before?.active ?? false) !== active) changes.push(now);
  if (!active && changes.length === 0) history.delete(key);
  else history.set(key, { active, changes });
  const after = history.get(key);
  return before?.active !== after?.active || before?.changes.length !== after?.changes.length || before?.changes[0] !== after?.changes[0];
}

/**
 * Flapping: at least `changes` changes within the window, the last one less than `quiet` ago. A new
 * incident of a flapping alert pages no one; once it has held one state for `quiet`, it pages as usual.
 */
export function isFlapping(history: FlapHistory, key: string, now: number, settings: FlapSettings): boolean {
  const entry = history.get(key);
  if (entry === undefined) return false;
  const recent = entry.changes.filter((t) => now - t <= settings.windowMs);
  const last = recent[recent.length - 1];
  return recent.length >= settings.changes && last !== undefined && now - last < settings.quietMs;
}
