/** Where discovery says how far it got: a bar redrawn in place on a terminal, plain lines otherwise. */
export interface Progress {
  /** A new phase (e.g. "ping", "snmp") over `total` items. */
  start(phase: string, total: number): void;
  /** `done` items of the phase finished, `found` of them answered. */
  update(done: number, found: number): void;
  finish(): void;
}

const BAR_WIDTH = 30;

/** One progress line: `ping [#########.....] 120/254, 12 answered`. */
export function progressLine(phase: string, done: number, total: number, found: number, bar: boolean): string {
  const counts = `${done}/${total}, ${found} answered`;
  if (!bar) return `discover: ${phase} ${counts}`;
  const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
  return `${phase.padEnd(4)} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${counts}`;
}

/**
 * On a TTY the line is redrawn with a carriage return; otherwise a line is written at each tenth of the
 * phase and at its end, so a log file stays short.
 */
export function createProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }): Progress {
  const tty = stream.isTTY === true;
  let phase = '';
  let total = 0;
  let lastStep = -1;
  let drawn = false;
  return {
    start(name, count) {
      if (drawn && tty) stream.write('\n');
      phase = name;
      total = count;
      lastStep = -1;
      drawn = false;
      this.update(0, 0);
    },
    update(done, found) {
      if (tty) {
        // Carriage return, the line, then erase what a longer earlier line left (ANSI EL, CSI K).
        stream.write(`\r${progressLine(phase, done, total, found, true)}\x1b[K`);
        drawn = true;
        return;
      }
      const step = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (step === lastStep && done !== total) return;
      lastStep = step;
      stream.write(`${progressLine(phase, done, total, found, false)}\n`);
    },
    finish() {
      if (drawn && tty) stream.write('\n');
      drawn = false;
    },
  };
}
