/**
 * The documents of DESIGN §5 that the command prints with `--json` and the library answers (DESIGN §8): the runner's
 * results narrowed to exactly the contract's keys. Plain data, defined once for both.
 */
import type { Engine, SqlValue } from './driver.ts';
import type {
  Direction,
  MigrationResult,
  RunError,
  RunPhase,
  RunResult,
  StatusEntry,
  StatusResult,
} from './results.ts';

/** The error of `--json` output, with exactly the keys of DESIGN §5: migration, phase, message, line?, sql?. */
export type JsonRunError = {
  migration: string | null;
  phase: RunPhase;
  message: string;
  line?: number;
  sql?: string;
};

/** One migration's line of the `up`/`down`/`redo` document. */
export type JsonMigrationResult = {
  id: string;
  direction: Direction;
  status: MigrationResult['status'];
  reason?: string;
  duration_ms: number;
  /** `--retries`: how many attempts the migration took, when more than one was allowed. */
  attempts?: number;
};

/** The `up`/`down`/`redo` document (`moonwalk up --json`, and what `migrate()` answers). */
export type RunDocument = {
  ok: boolean;
  results: JsonMigrationResult[];
  error: JsonRunError | null;
  /** `up --dry-run` only: the statements that ran before everything was rolled back. */
  statements?: { migration: string; sql: string; params: SqlValue[] }[];
};

/** The `status --json` document. */
export type StatusDocument = {
  engine: Engine;
  migrations: StatusEntry[];
  error?: JsonRunError;
};

/**
 * A RunError as the JSON contract has it. The file is named in the message where the message does not name it (a
 * load error's "0002_x.lua:3: unexpected symbol"); statements MySQL committed before a failure are listed in it.
 */
export function jsonRunError(error: RunError): JsonRunError {
  let message = error.message;
  if (error.file && error.phase === 'load' && !message.includes(error.file)) {
    message = `${error.file}${error.line !== undefined ? `:${error.line}` : ''}: ${message}`;
  }
  if (error.committed?.length && !message.includes('partially'))
    message += `. Committed: ${error.committed.map((sql) => sql.trim().replace(/\s+/g, ' ')).join('; ')}`;
  return {
    migration: error.migration,
    phase: error.phase,
    message,
    ...(error.line !== undefined ? { line: error.line } : {}),
    ...(error.sql !== undefined ? { sql: error.sql } : {}),
  };
}

/** The `up`/`down`/`redo` document of DESIGN §5 (plus `statements` for a dry run), nothing else. */
export function jsonRunResult(result: RunResult): RunDocument {
  return {
    ok: result.ok,
    results: result.results.map((r) => ({
      id: r.id,
      direction: r.direction,
      status: r.status,
      ...(r.reason !== undefined ? { reason: r.reason } : {}),
      duration_ms: r.duration_ms,
      ...(r.attempts !== undefined ? { attempts: r.attempts } : {}),
    })),
    error: result.error ? jsonRunError(result.error) : null,
    ...(result.statements
      ? { statements: result.statements.map((s) => ({ migration: s.migration, sql: s.sql, params: s.params })) }
      : {}),
  };
}

/** A run that failed before the runner could start (bad options, an unreadable folder, no connection). */
export function failedRunDocument(phase: RunPhase, message: string): RunDocument {
  return { ok: false, results: [], error: { migration: null, phase, message } };
}

/** The `status --json` document: `error` only when the database could not be read. */
export function statusDocument(status: StatusResult): StatusDocument {
  return {
    engine: status.engine,
    migrations: status.migrations,
    ...(status.error ? { error: jsonRunError(status.error) } : {}),
  };
}
