/**
 * What every `moonwalk` command starts and ends with: its output (stdout and stderr, untrusted text made safe), the
 * parsing of its command line (`--version`, bad usage, `--help` answered here), and the report of a command that
 * failed before it ran (usage, files, connection) with its exit code (DESIGN §5). A module of its own so that
 * `moonwalk lint`, bundled alone (lint-main.ts), has exactly what runCommand does without loading command.ts.
 */
import { parseArgs, UsageError, USAGE, type ParsedArgs } from './args.ts';
import { annotation } from './github-annotations.ts';
import { FilesError } from '../lib/migrations-dir.ts';
import { terminalSafe, workflowSafe } from './terminal-text.ts';
import { packageVersion } from './version.ts';
import { urlEngine } from './url-engine.ts';
import type { MigratorEvent } from '../core/migrator.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * Progress for a caller that watches the run (src/cli/capped-worker.ts): the runner's events, and when
 * the database is being opened (the engine's own memory is not the migration's).
 */
export type CliEvent = MigratorEvent | { type: 'connecting' } | { type: 'connected' };

export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  event?(event: CliEvent): void;
}

export const nodeIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  env: process.env,
};

/** The database could not be reached: exit 2, phase `connect`. */
export class ConnectError extends Error {}

/** A command line read and ready to run: where it writes, and how GitHub annotations are written (--format github). */
export interface StartedCommand {
  args: ParsedArgs;
  /** `rawIo` with untrusted text made safe. */
  io: Io;
  json: boolean;
  annotate: ((line: string) => void) | null;
}

/**
 * Reads the command line; answers the exit code instead when nothing more is to be done (`--version`, `--help`, bad
 * usage, each already written).
 */
export function startCommand(argv: string[], rawIo: Io): StartedCommand | number {
  const io: Io = {
    ...rawIo,
    out: (text) => rawIo.out(terminalSafe(workflowSafe(text))),
    err: (text) => rawIo.err(terminalSafe(workflowSafe(text))),
  };
  if (argv[0] === '--version') {
    io.out(packageVersion());
    return EXIT.ok;
  }
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    return fail(io, argv.includes('--json'), error);
  }
  if (args.flags.help) {
    io.out(USAGE);
    return EXIT.ok;
  }
  const json = args.flags.json === true;
  // --format github: annotations beside the human lines, or on stderr beside the --json document.
  // The annotations are the only workflow commands written: they bypass workflowSafe (their text is escaped by them).
  const annotate =
    'format' in args.flags && args.flags.format === 'github'
      ? (line: string) => (json ? rawIo.err : rawIo.out)(terminalSafe(line))
      : null;
  return { args, io, json, annotate };
}

/** The failed command's own `--json` document with its `error` (DESIGN §5); the run document for the others. */
function failureDocument(command: FailedCommand | null, error: { migration: null; phase: string; message: string }) {
  switch (command?.name) {
    case 'status':
      return { engine: urlEngine(command.url), migrations: [], error };
    case 'verify':
      return { ok: false, migrations: [], error };
    case 'lint':
      return { ok: false, findings: [], error };
    default:
      return { ok: false, results: [], error };
  }
}

/** The command a failure belongs to, so that `--json` prints that command's document (DESIGN §5). */
export interface FailedCommand {
  name: string;
  /** The `--db` URL (or DATABASE_URL), '' when there is none: status names its engine. */
  url: string;
}

/**
 * Reports a command that failed before or outside a migration; answers its exit code. With `--json`, the document
 * has the failed command's shape with an `error`: status `{engine, migrations: [], error}`, verify `{ok, migrations:
 * [], error}`, lint `{ok, findings: [], error}`, the others (and an unreadable command line) the run document.
 */
export function fail(
  io: Io,
  json: boolean,
  error: unknown,
  annotate: ((line: string) => void) | null = null,
  command: FailedCommand | null = null,
): number {
  const message = error instanceof Error ? error.message : String(error);
  const code =
    error instanceof UsageError || error instanceof FilesError || error instanceof ConnectError
      ? EXIT.usage
      : EXIT.failed;
  if (json) {
    const phase = error instanceof ConnectError ? 'connect' : 'check';
    io.out(JSON.stringify(failureDocument(command, { migration: null, phase, message })));
  }
  io.err(`Error: ${message}`);
  if (error instanceof UsageError) io.err('Run moonwalk --help for usage.');
  annotate?.(annotation('error', message));
  return code;
}
