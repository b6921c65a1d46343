import type { Command, CommanderError } from 'commander';
import { ConfigError } from './config-file.ts';

/** What a command prints for a person: to stdout, one line per call. Logs go to stderr through pino. */
export function say(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Whether the person asked for stacks (`--debug` anywhere on the command line, or HALLMONITOR_DEBUG=1). */
export function debugRequested(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): boolean {
  return argv.includes('--debug') || env.HALLMONITOR_DEBUG === '1';
}

/**
 * Failures of the machine or the network rather than of our code: a file that cannot be written, a server
 * that does not answer. They are not bugs, so they end like a config error (exit 2) with the system's own
 * words; the call site should still wrap them in a ConfigError that names the setting involved.
 */
const SYSTEM_CODES: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on device',
  EEXIST: 'already exists',
  ENOTDIR: 'not a folder',
  EISDIR: 'is a folder',
  EROFS: 'read-only file system',
  EDQUOT: 'disk quota exceeded',
  ECONNREFUSED: 'connection refused: nothing listens there',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed (DNS)',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
};

/** "ENOSPC (no space left on device)" for a system error, else undefined. */
export function systemErrorText(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !(code in SYSTEM_CODES)) return undefined;
  return `${code} (${SYSTEM_CODES[code]})`;
}

/**
 * Ends a command on an error with one line a person can act on. Config errors already name file, path and
 * expectation; a system error gets the system's words (exit 2 for both: the person can fix them). Anything
 * else is a bug: one line and exit 1, with the stack only under --debug.
 */
export function exitOnError(err: unknown, program = 'hallmonitor', debug = debugRequested()): never {
  const stack = debug && err instanceof Error && err.stack !== undefined ? `${err.stack}\n` : '';
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n${stack}`);
    process.exit(2);
  }
  const system = systemErrorText(err);
  if (system !== undefined) {
    const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
    const target = e.path ?? (e.address === undefined ? undefined : e.port === undefined ? e.address : `${e.address}:${e.port}`);
    const where = [e.syscall, target].filter(Boolean).join(' ');
    process.stderr.write(`${program}: ${where ? `${where}: ` : ''}${system}\n${stack}`);
    process.exit(2);
  }
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  process.stderr.write(`${program}: internal error: ${message.split('\n')[0]}${debug ? '' : ' (run again with --debug for the stack, and please report it)'}\n${stack}`);
  process.exit(1);
}

/** "hallmonitor-collector agent add" for the command `add` below `agent`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Every command below `command`, itself included. */
function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap((c) => allCommands(c))];
}

/**
 * Runs a program the way every hallmonitor command line behaves: no arguments prints the help; a usage
 * mistake commander finds (unknown option, missing value) is its one line and exit 2, like a config error;
 * `--debug` anywhere adds the stack to an internal error.
 */
export function runCommandLine(program: Command, argv: readonly string[] = process.argv): void {
  program.option('--debug', 'on an unexpected error, print its stack');
  for (const command of allCommands(program)) {
    // commander's "error: unknown option '--x'" becomes "hallmonitor-agent check-config: unknown option '--x' (see ... --help)".
    const path = commandPath(command);
    command.configureOutput({
      outputError: (text, write) => write(`${path}: ${text.trim().replace(/^error: /, '')} (see ${path} --help)\n`),
    });
    command.exitOverride((err: CommanderError) => {
      // Help and version are answers, not errors; commander has already printed them.
      const answered = ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(err.code);
      process.exit(answered ? 0 : 2);
    });
  }
  if (argv.length <= 2) {
    program.outputHelp();
    process.exit(0);
  }
  // With a default command (run), commander would take a mistyped command for run's argument.
  const first = argv[2]!;
  const known = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  if (!first.startsWith('-') && first !== 'help' && !known.includes(first)) {
    process.stderr.write(`${program.name()}: unknown command "${first}"; expected one of ${known.join(', ')} (see ${program.name()} --help)\n`);
    process.exit(2);
  }
  program.parseAsync([...argv]).catch((err: unknown) => exitOnError(err, program.name()));
}

/** Resolves when the process is asked to stop (systemd sends SIGTERM, a terminal SIGINT). */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
}
