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

export function recordChange(history: FlapHistory, key: string, active: boolean, now: number, settings: FlapSettings): void {
  const entry = history.get(key) ?? { active: false, changes: [] };
  if (entry.active !== active) entry.changes.push(now);
  entry.active = active;
  entry.changes = entry.changes.filter((t) => now - t <= settings.windowMs);
  if (!entry.active && entry.changes.length === 0) history.delete(key);
  else history.set(key, entry);
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
