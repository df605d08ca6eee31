/**
 * The plain data the runner answers with (DESIGN §5's JSON shapes): the CLI prints it, the web app renders it.
 */
import type { Driver, Engine, SqlValue } from './driver.ts';
import type { LimitCode } from './lua/limits.ts';

export type MigrationState = 'applied' | 'pending' | 'modified' | 'missing';

export interface StatusEntry {
  id: string;
  description: string;
  status: MigrationState;
  applied_at?: string;
}

export interface StatusResult {
  ok: boolean;
  engine: Engine;
  migrations: StatusEntry[];
  error: RunError | null;
}

export type Direction = 'up' | 'down';

export interface MigrationResult {
  id: string;
  direction: Direction;
  status: 'applied' | 'reverted' | 'skipped' | 'failed' | 'rolled_back';
  reason?: string;
  duration_ms: number;
  /** With retries allowed: how many times the migration's transaction ran (1 when it went through at once). */
  attempts?: number;
}

export type RunPhase =
  'load' | 'up' | 'down' | 'after' | 'ledger' | 'lock' | 'check' | 'begin' | 'commit' | 'connect' | 'internal';

/**
 * What kind of failure ended the run (golang-migrate's `ErrDirty`, `ErrLocked` are the model). The core's message says
 * what happened; where the way out depends on the edge (a flag of the command, a button of the page), the edge reads
 * the code and phrases the remedy for its users.
 */
export type RunErrorCode =
  /** `dryRun` asked of an engine that commits DDL implicitly: nothing could be rolled back. */
  | 'dry_run_refused'
  /** `singleTransaction` asked of an engine that commits DDL implicitly. */
  | 'single_transaction_refused'
  /** `to` names no migration file. */
  | 'unknown_target'
  /** An applied migration's file changed since (its checksum differs from the ledger's). */
  | 'modified'
  /** An applied migration's file is gone. */
  | 'missing'
  /** A revert that cannot happen: the file, its block for the engine, or its `down` is missing. */
  | 'not_revertible'
  /** A migration that must run outside a transaction (`transaction = false`) asked to join a batch. */
  | 'needs_own_transaction'
  /** Nothing applied to redo, or the reverted file is gone. */
  | 'nothing_to_redo'
  | LimitCode
  /** The migration's Lua code failed: it does not load, it raised an error, or it returned one. */
  | 'lua_error'
  /** A statement failed and the code went on without handling the error. */
  | 'unhandled_statement'
  /** Another run holds the run lock past the wait. */
  | 'locked'
  /** The ledger table cannot be used: a table of that name that is not a ledger, or a row without an id. */
  | 'not_a_ledger'
  /** The engine or the connection failed outside the migration's code (begin, commit, the ledger, the lock). */
  | 'engine'
  /** A target of a fleet run that was not started: an earlier target failed and the run stops at the first failure. */
  | 'not_started'
  /** Anything else: a fault of moonwalk itself. */
  | 'internal';

export interface RunError {
  code: RunErrorCode;
  /** The migration id, or null when the run failed before or between migrations. */
  migration: string | null;
  phase: RunPhase;
  message: string;
  file?: string;
  line?: number;
  sql?: string;
  /** On engines without transactional DDL: statements of the failed migration that committed anyway. */
  committed?: string[];
}

export interface PlannedStatement {
  migration: string;
  sql: string;
  params: SqlValue[];
}

export interface RunResult {
  ok: boolean;
  results: MigrationResult[];
  error: RunError | null;
  /** Only for dry runs: the statements that would run, in order. */
  statements?: PlannedStatement[];
}

/** One line for a person: where, what, and the statement. */
/** A duration as results give it (`duration_ms`): milliseconds, to two decimals. */
export function durationMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}

export function describeRunError(error: RunError): string {
  const where = [
    error.migration ? `migration ${error.migration}` : null,
    error.phase !== 'internal' ? `(${error.phase})` : null,
    error.file && error.line ? `at ${error.file}:${error.line}` : error.line ? `at line ${error.line}` : null,
  ]
    .filter(Boolean)
    .join(' ');
  const lines = [where ? `${where}: ${error.message}` : error.message];
  if (error.sql) lines.push(`  SQL: ${error.sql.trim().replace(/\s+/g, ' ')}`);
  // `committed` (MySQL's partial application) is named in the message itself, with what to do about it.
  if (error.committed?.length && !error.message.includes('partially')) {
    lines.push('  These statements committed before the failure (this engine commits DDL implicitly):');
    for (const sql of error.committed) lines.push(`    ${sql.trim().replace(/\s+/g, ' ')}`);
  }
  return lines.join('\n');
}

/** The longest error message (and statement in an error) reported whole, in UTF-8 bytes; longer ones are cut. */
export const MAX_ERROR_TEXT = 4096;

const utf8 = new TextEncoder();
const CLIPPED = /… \([\d,]+ more bytes\)$/;

/** How many bytes `text` takes in UTF-8 (without encoding a 50 MB message to learn it). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * `text` cut to its first MAX_ERROR_TEXT bytes of UTF-8 (never inside a character), saying how many bytes were left
 * out: a 50 MB error message is not printed whole. The same count in the command's output, its JSON and the page.
 */
export function clipText(text: string): string {
  if (text.length <= MAX_ERROR_TEXT / 3) return text;
  const total = utf8Length(text);
  if (total <= MAX_ERROR_TEXT) return text;
  // Cut already (an error passes through here more than once): cutting again would count the marker, not the message.
  const marker = CLIPPED.exec(text);
  if (marker && total - utf8Length(marker[0]) <= MAX_ERROR_TEXT) return text;
  const { read, written } = utf8.encodeInto(text, new Uint8Array(MAX_ERROR_TEXT));
  return `${text.slice(0, read)}… (${(total - written).toLocaleString('en-US')} more bytes)`;
}

/** The error with its message and statement cut to a readable length. */
export function clipRunError(error: RunError): RunError {
  error.message = clipText(error.message);
  if (error.sql !== undefined) error.sql = clipText(error.sql);
  return error;
}

/**
 * The run's error for a driver that can run nothing more (DESIGN §5: a connection failure, exit 2 in the command): the
 * server drivers' own message already names the server; an in-process engine's ("database is closed") says less.
 */
export function connectionClosed(driver: Driver, message: string): RunError {
  const named = message.includes(driver.target);
  return {
    code: 'engine',
    migration: null,
    phase: 'connect',
    message: named
      ? message
      : `the connection to ${driver.target} is closed: open the database again to run migrations`,
  };
}
