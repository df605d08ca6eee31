/**
 * `moonwalk trace` (DESIGN §5): runs the pending migrations on a PostgreSQL database (a throwaway PGlite, as a rule)
 * and records, for each statement of migration code, the relation locks it took (read from `pg_locks` inside the
 * migration's transaction, before and after the statement) and the tables and indexes it rewrote (their
 * `relfilenode` changed). A migration is dangerous where a statement takes a lock stronger than SHARE UPDATE EXCLUSIVE
 * on a table that existed before the migration: that blocks writes, or with ACCESS EXCLUSIVE reads too, for as long
 * as the statement (and the rest of the transaction) runs.
 *
 * Locks are held until the transaction ends, so a statement is credited with the locks that appeared while it ran; a
 * lock an earlier statement of the same migration already holds is not listed again. Outside a transaction
 * (`options{ transaction = false }`) a statement's locks are gone when it returns: for `CREATE/DROP INDEX
 * CONCURRENTLY` the SHARE UPDATE EXCLUSIVE lock it holds on the table is listed as PostgreSQL documents it.
 */
import type { Driver } from './driver.ts';
import { lockSafetyFindings } from './lint/lock-safety.ts';
import { analyzeSql } from './lint/sql.ts';
import { sqlOnLine } from './lint/sql-text.ts';
import { Migrator, type MigratorEvent, type MigratorOptions } from './migrator.ts';
import type { StatementObserver } from './transaction.ts';
import type { RunError } from './results.ts';

export interface TraceLock {
  relation: string;
  /** As `pg_locks` names it: `AccessExclusiveLock`, `ShareLock`, … */
  mode: string;
}

export interface TraceStatement {
  sql: string;
  line: number | null;
  locks: TraceLock[];
  /** Tables and indexes whose storage was rewritten. */
  rewrites: string[];
}

export interface TraceDanger {
  statement: string;
  relation: string;
  mode: string;
  blocks: 'reads' | 'writes';
  /** The lint code of the statement's risk (`column-type-change`, …), or `dangerous-lock`: what `--allow` takes. */
  code: string;
}

export interface TraceMigration {
  id: string;
  statements: TraceStatement[];
  dangerous: TraceDanger[];
}

export interface TraceResult {
  /** No dangerous lock outside the allowed codes, and every migration ran. */
  ok: boolean;
  migrations: TraceMigration[];
  error: RunError | null;
}

/** Lock modes from weakest to strongest; those after SHARE UPDATE EXCLUSIVE block writes, ACCESS EXCLUSIVE reads too. */
const MODES = [
  'AccessShareLock',
  'RowShareLock',
  'RowExclusiveLock',
  'ShareUpdateExclusiveLock',
  'ShareLock',
  'ShareRowExclusiveLock',
  'ExclusiveLock',
  'AccessExclusiveLock',
];
const DANGER_FROM = MODES.indexOf('ShareLock');

/**
 * One round trip per look: the relation locks this session holds on user tables and indexes (kind `l`: name, mode,
 * relkind), and every user table and index with its storage file number (kind `f`: oid, name, relfilenode, relkind).
 * The catalog and the ledger are left out.
 */
const SNAPSHOT_SQL = `SELECT 'l', c.relname::text, l.mode, c.relkind::text
  FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
    AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND c.relname <> '_migrations'
UNION ALL
SELECT 'f', c.oid::text, c.relname::text, c.relfilenode::text
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'i', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    AND c.relname <> '_migrations'`;
/** Tables (not indexes), for `existing`. */
const TABLES_SQL = `SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')`;

interface Snapshot {
  /** `relation\0mode` of each lock held. */
  locks: Set<string>;
  /** relfilenode by oid, and the name of each oid. */
  files: Map<string, string>;
  names: Map<string, string>;
}

export interface TraceOptions extends Omit<MigratorOptions, 'observe' | 'onEvent'> {
  /** Codes whose dangerous locks do not fail the trace. */
  allow?: Iterable<string>;
}

/**
 * Watches a Migrator's runs on `driver` (PostgreSQL): give the Migrator `observe` and `onEvent`; `migrations` fills
 * with each migration applied (up) while it runs. The playground's worker uses it beside its own events.
 */
export function createTracer(
  driver: Driver,
  /** Statements of one migration traced at most; later ones just run (a seed loop must not crawl). */
  maxStatements = Infinity,
): {
  observe: StatementObserver;
  onEvent: (event: MigratorEvent) => void;
  migrations: TraceMigration[];
} {
  const migrations: TraceMigration[] = [];
  let current: TraceMigration | null = null;
  /** Tables that existed before the current migration: where a strong lock is dangerous. */
  let existing: Set<string> | null = null;

  const snapshot = async (): Promise<Snapshot> => {
    const result: Snapshot = { locks: new Set(), files: new Map(), names: new Map() };
    for (const [kind, a, b, c] of (await driver.query(SNAPSHOT_SQL, [])).rows) {
      if (kind === 'l') result.locks.add(`${a}\0${b}`);
      else {
        result.files.set(String(a), String(c));
        result.names.set(String(a), String(b));
      }
    }
    return result;
  };

  const observe = async <T>(sql: string, line: number | undefined, run: () => T | Promise<T>): Promise<T> => {
    const migration = current;
    if (!migration || migration.statements.length >= maxStatements) return run();
    existing ??= new Set((await driver.query(TABLES_SQL, [])).rows.map((r) => String(r[0])));
    const before = await snapshot();
    const concurrentTable = await concurrentlyOn(driver, sql);
    const value = await run();
    const statement: TraceStatement = { sql, line: line ?? null, locks: [], rewrites: [] };
    try {
      const after = await snapshot();
      for (const key of after.locks) {
        if (before.locks.has(key)) continue;
        const [relation, mode] = key.split('\0') as [string, string];
        statement.locks.push({ relation, mode });
      }
      for (const [oid, file] of after.files) {
        const old = before.files.get(oid);
        if (old !== undefined && old !== file) statement.rewrites.push(after.names.get(oid)!);
      }
    } catch {
      // The statement doomed the transaction: nothing more can be read, and the migration fails anyway.
    }
    if (concurrentTable && !statement.locks.some((l) => l.relation === concurrentTable)) {
      statement.locks.push({ relation: concurrentTable, mode: 'ShareUpdateExclusiveLock' });
    }
    statement.locks.sort((a, b) => MODES.indexOf(b.mode) - MODES.indexOf(a.mode) || cmp(a.relation, b.relation));
    statement.rewrites.sort(cmp);
    migration.statements.push(statement);
    const named = new Set<string>();
    for (const lock of statement.locks) {
      // Sorted strongest first: one entry per table, its strongest lock.
      const strength = MODES.indexOf(lock.mode);
      if (strength < DANGER_FROM || !existing.has(lock.relation) || named.has(lock.relation)) continue;
      named.add(lock.relation);
      migration.dangerous.push({
        statement: sql,
        relation: lock.relation,
        mode: lock.mode,
        blocks: lock.mode === 'AccessExclusiveLock' ? 'reads' : 'writes',
        code: riskCode(sql, line ?? 1),
      });
    }
    return value;
  };

  const onEvent = (event: MigratorEvent): void => {
    if (event.type === 'start' && event.direction === 'up') {
      current = { id: event.id, statements: [], dangerous: [] };
      existing = null;
      migrations.push(current);
    } else if (event.type === 'done') current = null;
  };
  return { observe: observe, onEvent, migrations };
}

/** Traces the pending migrations of `options.files` on `options.driver` (PostgreSQL), applying them. Never throws. */
export async function traceMigrations(options: TraceOptions): Promise<TraceResult> {
  const allow = new Set(options.allow ?? []);
  const tracer = createTracer(options.driver);
  const migrator = new Migrator({ ...options, observe: tracer.observe, onEvent: tracer.onEvent });
  try {
    const run = await migrator.up();
    const migrations = tracer.migrations;
    const allowed = migrations.every((m) => m.dangerous.every((d) => allow.has(d.code)));
    return { ok: run.error === null && allowed, migrations, error: run.error };
  } finally {
    migrator.dispose();
  }
}

/** For CREATE/DROP INDEX CONCURRENTLY: the table it works on, whose lock is gone by the time it returns. */
async function concurrentlyOn(driver: Driver, sql: string): Promise<string | null> {
  const match = /^\s*(create\s+(unique\s+)?index|drop\s+index)\s+concurrently\b/i.exec(sql);
  if (!match) return null;
  const [info] = analyzeSql(sqlOnLine(sql, 1), 'postgres');
  if (/^\s*create/i.test(match[1])) return info?.objects[0] ?? null;
  const index = /concurrently\s+(?:if\s+exists\s+)?("?[\w.]+"?)/i.exec(sql)?.[1];
  if (!index) return null;
  try {
    const result = await driver.query(
      'SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE i.indexrelid = to_regclass($1)',
      [index],
    );
    const name = result.rows[0]?.[0];
    return typeof name === 'string' ? name : null;
  } catch {
    return null;
  }
}

/** The lock-safety lint's code for what the statement risks, or `dangerous-lock` when no rule names it. */
function riskCode(sql: string, line: number): string {
  const statements = analyzeSql(sqlOnLine(sql, line), 'postgres').map((info) => ({
    tokens: info.tokens,
    info,
    line,
  }));
  const findings = lockSafetyFindings({
    file: '',
    engine: 'postgres',
    outsideTransaction: true,
    lockTimeout: true,
    statements,
  });
  return findings.find((f) => f.severity === 'warning')?.code ?? 'dangerous-lock';
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** One line per dangerous lock, in plain words. */
export function describeDanger(danger: TraceDanger): string {
  const sql = danger.statement.trim().replace(/\s+/g, ' ');
  const shown = sql.length > 120 ? `${sql.slice(0, 119)}…` : sql;
  const what = danger.blocks === 'reads' ? 'reads and writes' : 'writes (reads go on)';
  return `${shown} takes ${danger.mode} on ${danger.relation}: it blocks ${what} on ${danger.relation} until its transaction ends [${danger.code}]`;
}
