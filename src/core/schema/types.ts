/**
 * Schema snapshot and diff types (DESIGN.md §6). Everything here is plain JSON data: no classes, no `undefined`
 * values (optional fields are left out rather than set to undefined), no bigints. The same database always gives the
 * same JSON text.
 *
 * Ordering rules:
 * - tables, views, sequences, enums and functions are sorted by `schema` (PostgreSQL) and then `name`;
 * - triggers by table, then name; indexes and unique constraints by name (then columns); foreign keys and checks by
 *   name, then by their definition;
 * - columns are the one exception: they keep the table's own column order (the order `SELECT *` gives), because that
 *   is how people read a table and the column-rename heuristic of the diff relies on it. The diff itself compares
 *   columns by name and does not report a column that only moved (a dropped and re-added column lands at the end, and
 *   no engine can put it back, so a `down` could never "fix" that).
 *
 * Names: strings are compared code unit by code unit (never locale-aware), so sorting does not depend on the machine.
 */
import type { Driver, Engine } from '../driver.ts';

export interface ColumnSnapshot {
  name: string;
  /** The declared type: as written on SQLite (`TEXT`, `varchar(20)`, `''` when none), `format_type` on PostgreSQL. */
  type: string;
  nullable: boolean;
  /** The default expression as the engine shows it (`'x'`, `0`, `CURRENT_TIMESTAMP`, `nextval('t_id_seq'::regclass)`), or null. */
  default: string | null;
  /** Part of the table's primary key. */
  primary_key: boolean;
  /** A collation other than the type's default (`NOCASE`, `C`, …). */
  collation?: string;
  /** A generated (computed) column. */
  generated?: { expression: string; stored: boolean };
  /** A PostgreSQL identity column (`GENERATED ALWAYS|BY DEFAULT AS IDENTITY`). Its sequence is not listed separately. */
  identity?: 'always' | 'by default';
}

export interface PrimaryKeySnapshot {
  /** The constraint name where the engine keeps one (PostgreSQL). */
  name?: string;
  /** In key order. */
  columns: string[];
}

/**
 * A UNIQUE constraint. The index the engine creates for it (`sqlite_autoindex_…`, PostgreSQL's `…_key`) is *not*
 * listed under `indexes`. A `CREATE UNIQUE INDEX` is an index with `unique: true`, not a constraint.
 */
export interface UniqueSnapshot {
  /** The constraint name where the engine keeps one (PostgreSQL). SQLite does not report it. */
  name?: string;
  columns: string[];
}

export interface IndexSnapshot {
  name: string;
  /**
   * Key parts in order: a column name, or an expression's text (`lower(email)`), followed by ` COLLATE x`
   * (SQLite, non-default collation), ` DESC`, ` NULLS FIRST|LAST` (PostgreSQL, non-default) where they apply.
   */
  columns: string[];
  unique: boolean;
  /** The WHERE clause of a partial index. */
  predicate?: string;
  /** The index method when it is not the default (PostgreSQL: `gin`, `hash`, …; never `btree`). */
  method?: string;
  /** PostgreSQL covering columns (`INCLUDE (…)`). */
  include?: string[];
}

export type ReferentialAction = 'NO ACTION' | 'RESTRICT' | 'CASCADE' | 'SET NULL' | 'SET DEFAULT';

export interface ForeignKeySnapshot {
  /** The constraint name where the engine keeps one (PostgreSQL). SQLite does not report it. */
  name?: string;
  columns: string[];
  references: { table: string; schema?: string; columns: string[] };
  on_update: ReferentialAction;
  on_delete: ReferentialAction;
}

export interface CheckSnapshot {
  /** The constraint name: PostgreSQL always has one; on SQLite only when written (`CONSTRAINT name CHECK (…)`). */
  name?: string;
  /**
   * The condition without the `CHECK (…)` around it. SQLite: the text as written in the CREATE TABLE statement, with
   * runs of white space and comments outside literals collapsed to one space. PostgreSQL: `pg_get_expr` (normalised).
   */
  expression: string;
}

export interface TableSnapshot {
  name: string;
  /** PostgreSQL schema (`public` usually). Absent on SQLite. */
  schema?: string;
  columns: ColumnSnapshot[];
  /** Absent when the table has no primary key (a SQLite rowid table without one, say). */
  primary_key?: PrimaryKeySnapshot;
  unique_constraints: UniqueSnapshot[];
  indexes: IndexSnapshot[];
  foreign_keys: ForeignKeySnapshot[];
  checks: CheckSnapshot[];
  /** Row count; present unless the snapshot was taken with `{ rows: false }`. */
  rows?: number;
  /** Data fingerprint (row order ignored); present when the snapshot was taken with `{ fingerprint: true }`. */
  fingerprint?: string;
}

export interface ViewSnapshot {
  name: string;
  schema?: string;
  /** SQLite: the CREATE VIEW statement as stored. PostgreSQL: `pg_get_viewdef` (the SELECT). */
  definition: string;
  /** PostgreSQL materialized view. */
  materialized?: boolean;
}

export interface TriggerSnapshot {
  name: string;
  schema?: string;
  /** The table (or view) the trigger is on. */
  table: string;
  /** SQLite: the CREATE TRIGGER statement as stored. PostgreSQL: `pg_get_triggerdef`. */
  definition: string;
}

/** A PostgreSQL sequence that no column owns (serial and identity sequences show as the column's default/identity). */
export interface SequenceSnapshot {
  name: string;
  schema?: string;
  type: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cycle: boolean;
}

/** A PostgreSQL enum type, values in their sort order. */
export interface EnumSnapshot {
  name: string;
  schema?: string;
  values: string[];
}

/** A PostgreSQL function or procedure (not one that belongs to an extension). `name` carries the argument types. */
export interface FunctionSnapshot {
  /** `name(argument types)`, e.g. `touch_updated_at()`; overloads are separate entries. */
  name: string;
  schema?: string;
  /** `pg_get_functiondef`. */
  definition: string;
}

export interface SchemaSnapshot {
  engine: Engine;
  tables: TableSnapshot[];
  views: ViewSnapshot[];
  triggers: TriggerSnapshot[];
  /** PostgreSQL only. */
  sequences?: SequenceSnapshot[];
  /** PostgreSQL only. */
  enums?: EnumSnapshot[];
  /** PostgreSQL only. */
  functions?: FunctionSnapshot[];
}

export interface SnapshotOptions {
  /** Count the rows of each table (default true). */
  rows?: boolean;
  /** Compute a data fingerprint of each table (default false: it reads every row). */
  fingerprint?: boolean;
}

export type SchemaChangeKind =
  | 'table_added'
  | 'table_removed'
  | 'table_renamed'
  | 'column_added'
  | 'column_removed'
  | 'column_changed'
  | 'column_renamed'
  | 'primary_key_changed'
  | 'unique_added'
  | 'unique_removed'
  | 'index_added'
  | 'index_removed'
  | 'index_changed'
  | 'fk_added'
  | 'fk_removed'
  | 'check_added'
  | 'check_removed'
  | 'trigger_added'
  | 'trigger_removed'
  | 'trigger_changed'
  | 'rows_changed'
  | 'data_changed'
  | 'view_added'
  | 'view_removed'
  | 'view_changed'
  | 'sequence_added'
  | 'sequence_removed'
  | 'sequence_changed'
  | 'enum_added'
  | 'enum_removed'
  | 'enum_changed'
  | 'function_added'
  | 'function_removed'
  | 'function_changed';

/**
 * One difference between two snapshots. `path[0]` is the table's (or view's, sequence's, …) key: its name, or
 * `schema.name` outside PostgreSQL's `public` schema. `path[1]`, where there is one, names the part of the table
 * (column, index, constraint, trigger). `before`/`after` hold the snapshot parts (see `diffSnapshots` for each kind).
 */
export interface SchemaChange {
  kind: SchemaChangeKind;
  path: string[];
  before?: unknown;
  after?: unknown;
}

// ---------------------------------------------------------------------------------------------------------------
// The engine readers' interface (snapshot.ts calls them; snapshot-<engine>.ts implement it)

export type SnapshotDriver = Pick<Driver, 'engine' | 'query'>;

/**
 * What a reader answers: the snapshot without `rows`/`fingerprint`, and the tables it already knows hold no rows
 * (PostgreSQL: a heap of zero pages), which then need neither a count nor a fingerprint query.
 */
export type ReadSchema = SchemaSnapshot & { knownEmpty?: ReadonlySet<TableSnapshot> };

/** What an engine's reader supplies. `read` gives every table with `rows`/`fingerprint` left out. */
export interface SnapshotReader {
  read(driver: SnapshotDriver): Promise<ReadSchema>;
  /** The table as written in a FROM clause. */
  tableRef(table: TableSnapshot): string;
}
