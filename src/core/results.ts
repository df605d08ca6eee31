/**
 * The plain data the runner answers with (DESIGN §5's JSON shapes): the CLI prints it, the web app renders it.
 */
import type { Engine, SqlValue } from './driver.ts';

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
}

export type RunPhase =
  'load' | 'up' | 'down' | 'after' | 'ledger' | 'lock' | 'check' | 'begin' | 'commit' | 'connect' | 'internal';

export interface RunError {
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
