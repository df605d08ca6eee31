/**
 * The migration repository (DESIGN §4): table `_migrations` with id, description, applied_at and checksum,
 * compatible with the original runtime's table (a table without `checksum` gets the column added).
 */
import type { Driver, Engine, MaybePromise, SqlValue } from './driver.ts';
import type { LedgerHome } from './sql/ledger-bypass.ts';

export const LEDGER_TABLE = '_migrations';
/** The lease table of `--lock table` (DESIGN §4); the PostgreSQL driver creates it under this name. */
export const LOCK_TABLE = '_migrations_lock';

/** What a run needs of an applied migration: its id, and its checksum to tell whether its file changed. */
export interface AppliedMigration {
  id: string;
  /** null for rows written by a runtime that kept no checksum. */
  checksum: string | null;
}

export interface LedgerEntry extends AppliedMigration {
  description: string;
  /** ISO 8601 where the engine's value allows it. */
  appliedAt: string;
}

const CREATE: Record<Engine, (table: string) => string> = {
  sqlite: (t) =>
    `CREATE TABLE IF NOT EXISTS ${t} (id TEXT PRIMARY KEY, description TEXT, applied_at INTEGER NOT NULL DEFAULT (strftime('%s','now')), checksum TEXT)`,
  postgres: (t) =>
    `CREATE TABLE IF NOT EXISTS ${t} (id TEXT PRIMARY KEY, description TEXT, applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), checksum TEXT)`,
  mysql: (t) =>
    `CREATE TABLE IF NOT EXISTS ${t} (id VARCHAR(255) PRIMARY KEY, description TEXT, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, checksum VARCHAR(64))`,
};

/** The ledger's CREATE TABLE per engine, unqualified (the playground's SQL download). */
export const LEDGER_CREATE: Readonly<Record<Engine, string>> = {
  sqlite: CREATE.sqlite(LEDGER_TABLE),
  postgres: CREATE.postgres(LEDGER_TABLE),
  mysql: CREATE.mysql(LEDGER_TABLE),
};

/**
 * Where the ledger lives, resolved once per connection before any migration ran on it: the names it is read and
 * written by are qualified, so a migration that creates a TEMP `_migrations`, changes PostgreSQL's search_path or
 * MySQL's default database cannot make the runner record into an impostor.
 */
interface LedgerPlace extends LedgerHome {
  /** The qualified table name for SQL. */
  table: string;
}

const places = new WeakMap<Driver, LedgerPlace>();

/**
 * Where the ledger is on `driver`'s connection, once the runner has looked (before any migration ran on it): what the
 * statement guard compares a migration's DROP SCHEMA, DROP DATABASE and DROP OWNED with. null before that.
 */
export function ledgerHome(driver: Driver): LedgerHome | null {
  return places.get(driver) ?? null;
}

/** An identifier in the engine's quotes. */
export function quoteName(engine: Engine, name: string): string {
  return engine === 'mysql' ? `\`${name.replace(/`/g, '``')}\`` : `"${name.replace(/"/g, '""')}"`;
}

/** The schema, then the roles that own or may create the ledger and the lock table (LedgerHome.roles). */
const POSTGRES_PLACE =
  'SELECT current_schema(), session_user, current_user, ' +
  [LEDGER_TABLE, LOCK_TABLE]
    .map((t) => `(SELECT tableowner::text FROM pg_tables WHERE schemaname = current_schema() AND tablename = '${t}')`)
    .join(', ');

async function resolvePlace(driver: Driver): Promise<LedgerPlace> {
  const known = places.get(driver);
  if (known) return known;
  let place: LedgerPlace;
  if (driver.engine === 'sqlite') {
    place = { table: `main.${quoteName('sqlite', LEDGER_TABLE)}`, schema: '', roles: [], label: LEDGER_TABLE };
  } else {
    const sql = driver.engine === 'postgres' ? POSTGRES_PLACE : 'SELECT DATABASE()';
    const [value, ...users] = (await driver.query(sql, [])).rows[0] ?? [];
    const schema = typeof value === 'string' ? value : driver.engine === 'postgres' ? 'public' : '';
    const roles = [...new Set(users.filter((role): role is string => typeof role === 'string'))];
    place = schema
      ? {
          table: `${quoteName(driver.engine, schema)}.${quoteName(driver.engine, LEDGER_TABLE)}`,
          schema,
          roles,
          label: `${schema}.${LEDGER_TABLE}`,
        }
      : { table: quoteName(driver.engine, LEDGER_TABLE), schema, roles, label: LEDGER_TABLE };
  }
  places.set(driver, place);
  return place;
}

/** The columns a ledger has; `checksum` may be missing (an older runtime's table gets it added). */
const LEDGER_COLUMNS = ['id', 'description', 'applied_at'];

/** A ledger that cannot be used as it is: a table of that name that is not one, or rows it cannot stand for. */
export class LedgerError extends Error {}

export class Ledger {
  private place: LedgerPlace | null = null;

  constructor(private readonly driver: Driver) {}

  private async where(): Promise<LedgerPlace> {
    this.place ??= await resolvePlace(this.driver);
    return this.place;
  }

  private get table(): string {
    if (!this.place) throw new Error('the ledger is written before it was read');
    return this.place.table;
  }

  /** The table's columns, lower-case; empty when there is no table. Throws LedgerError for a table that is not a ledger. */
  private async columns(): Promise<string[]> {
    const { schema } = await this.where();
    const engine = this.driver.engine;
    const sql =
      engine === 'sqlite'
        ? `SELECT name FROM pragma_table_info('${LEDGER_TABLE}', 'main')`
        : `SELECT column_name FROM information_schema.columns WHERE table_schema = ${
            engine === 'postgres' ? '$1' : '?'
          } AND table_name = '${LEDGER_TABLE}'`;
    const result = await this.driver.query(sql, engine === 'sqlite' ? [] : [schema]);
    const columns = result.rows.map((row) => String(row[0]).toLowerCase());
    const missing = LEDGER_COLUMNS.filter((column) => !columns.includes(column));
    if (columns.length > 0 && missing.length > 0) {
      throw new LedgerError(
        `the table ${this.place!.label} in ${this.driver.target} is not a migration ledger: it has the columns ` +
          `${columns.join(', ')}, and a ledger has id, description, applied_at and checksum. ` +
          'Rename that table (it belongs to something else), or migrate another database or schema. Nothing was changed',
      );
    }
    return columns;
  }

  /** Creates the table, or adds `checksum` to an older one. Idempotent. */
  async ensure(): Promise<void> {
    const columns = await this.columns();
    const table = this.table;
    if (columns.length === 0) {
      await this.driver.exec(CREATE[this.driver.engine](table));
    } else if (!columns.includes('checksum')) {
      const type = this.driver.engine === 'mysql' ? 'VARCHAR(64)' : 'TEXT';
      await this.driver.exec(`ALTER TABLE ${table} ADD COLUMN checksum ${type}`);
    }
  }

  /** Applied migrations ordered by id; empty when the table does not exist yet (nothing is created). */
  async read(): Promise<LedgerEntry[]> {
    const rows = await this.rows('description, applied_at');
    return rows.map(([id, sum, description, appliedAt]) => ({
      id: String(id),
      description: description === null ? '' : String(description),
      appliedAt: formatAppliedAt(appliedAt),
      checksum: sum === null ? null : String(sum),
    }));
  }

  /** read(), only the ids and checksums: what up, down and redo need (no date formatted for each of 1,000 rows). */
  async readApplied(): Promise<AppliedMigration[]> {
    const rows = await this.rows('');
    return rows.map(([id, sum]) => ({ id: String(id), checksum: sum === null ? null : String(sum) }));
  }

  /** The rows ordered by id: id, checksum (NULL without the column), then `more` columns. */
  private async rows(more: string): Promise<SqlValue[][]> {
    const columns = await this.columns();
    if (columns.length === 0) return [];
    const checksum = columns.includes('checksum') ? 'checksum' : 'NULL';
    const result = await this.driver.query(
      `SELECT id, ${checksum}${more ? `, ${more}` : ''} FROM ${this.table} ORDER BY id`,
      [],
    );
    if (result.rows.some(([id]) => id === null || id === '')) {
      throw new LedgerError(
        `the ledger ${this.place!.label} in ${this.driver.target} has a row without an id, which names no migration: ` +
          `delete it (DELETE FROM ${this.place!.label} WHERE id IS NULL OR id = '') and run again`,
      );
    }
    return result.rows;
  }

  /** Inside the migration's transaction. */
  record(id: string, description: string, checksum: string): MaybePromise<unknown> {
    const sql = INSERT[this.driver.engine](this.table);
    return this.beforeWrite(() => this.driver.execute(sql, [id, description, checksum]));
  }

  /** Inside the migration's transaction. */
  remove(id: string): MaybePromise<unknown> {
    const sql = DELETE[this.driver.engine](this.table);
    return this.beforeWrite(() => this.driver.execute(sql, [id]));
  }

  /**
   * PostgreSQL: the row is written as the connection's own role, whatever role the migration SET (the session is
   * put back after the migration anyway, src/core/session.ts).
   * MySQL: a TEMPORARY table hides the real one of the same name even under its qualified name, so one that
   * migration code made (the same session as the runner) is dropped first. DROP TEMPORARY TABLE commits nothing.
   */
  private beforeWrite(write: () => MaybePromise<unknown>): MaybePromise<unknown> {
    const engine = this.driver.engine;
    if (engine === 'sqlite') return write();
    const first = engine === 'mysql' ? `DROP TEMPORARY TABLE IF EXISTS ${this.table}` : 'RESET ROLE';
    return Promise.resolve(this.driver.exec(first)).then(write);
  }
}

const INSERT: Record<Engine, (table: string) => string> = {
  sqlite: (t) => `INSERT INTO ${t} (id, description, applied_at, checksum) VALUES (?, ?, strftime('%s','now'), ?)`,
  postgres: (t) => `INSERT INTO ${t} (id, description, applied_at, checksum) VALUES ($1, $2, now(), $3)`,
  mysql: (t) => `INSERT INTO ${t} (id, description, applied_at, checksum) VALUES (?, ?, CURRENT_TIMESTAMP, ?)`,
};

const DELETE: Record<Engine, (table: string) => string> = {
  sqlite: (t) => `DELETE FROM ${t} WHERE id = ?`,
  postgres: (t) => `DELETE FROM ${t} WHERE id = $1`,
  mysql: (t) => `DELETE FROM ${t} WHERE id = ?`,
};

/**
 * ISO 8601 in UTC (`2024-05-01T12:00:00Z`) from what the engines keep: epoch seconds (SQLite, as a number or as
 * digits), PostgreSQL's text (`2024-05-01 12:00:00.123+00`), or SQLite's CURRENT_TIMESTAMP text (UTC, no zone).
 * Anything else is passed through as the engine printed it.
 */
export function formatAppliedAt(value: SqlValue): string {
  if (value === null) return '';
  if (typeof value === 'number' || typeof value === 'bigint') return isoSeconds(Number(value) * 1000);
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return isoSeconds(Number(text) * 1000);
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(text);
  if (!match) return text;
  const [, date, time, zone] = match;
  const offset =
    !zone || /^z$/i.test(zone) ? 'Z' : zone.length === 3 ? `${zone}:00` : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(`${date}T${time.replace(/(\.\d{3})\d+$/, '$1')}${offset}`);
  return Number.isNaN(ms) ? text : isoSeconds(ms);
}

function isoSeconds(ms: number): string {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return String(ms / 1000);
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
