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

/** A part that appeared: `after` is its snapshot. */
interface Added<K extends string, T> {
  kind: K;
  path: string[];
  after: T;
}

/** A part that went: `before` is its snapshot. */
interface Removed<K extends string, T> {
  kind: K;
  path: string[];
  before: T;
}

/** A part on both sides that differs: its two snapshots (or names, counts, fingerprints). */
interface Changed<K extends string, T> {
  kind: K;
  path: string[];
  before: T;
  after: T;
}

/** The parts matched by name: each can be added, removed or changed. */
export interface NamedParts {
  index: IndexSnapshot;
  trigger: TriggerSnapshot;
  view: ViewSnapshot;
  sequence: SequenceSnapshot;
  enum: EnumSnapshot;
  function: FunctionSnapshot;
}

/** The parts without a reliable identity (constraints): equal or not as a whole, so only added or removed. */
export interface SetParts {
  unique: UniqueSnapshot;
  fk: ForeignKeySnapshot;
  check: CheckSnapshot;
}

export type NamedPartChange<N extends keyof NamedParts> =
  Added<`${N}_added`, NamedParts[N]> | Removed<`${N}_removed`, NamedParts[N]> | Changed<`${N}_changed`, NamedParts[N]>;

export type SetPartChange<N extends keyof SetParts> =
  Added<`${N}_added`, SetParts[N]> | Removed<`${N}_removed`, SetParts[N]>;

// ---------------------------------------------------------------------------------------------------------------
// Row diffs (row-diff.ts)

/** A row's values as display text (NULL: null), by column. */
export type DisplayRow = Record<string, string | null>;

export interface ChangedColumn {
  column: string;
  before: string | null;
  after: string | null;
  /** The column exists on one side only. */
  only?: 'before' | 'after';
}

export interface ChangedRow {
  /** The primary key's values. */
  key: DisplayRow;
  columns: ChangedColumn[];
}

/** The rows of one table that differ; each list holds the first `ROW_DIFF_SHOWN` (row-diff.ts), `count` all of them. */
export interface RowDiff {
  /** The columns rows are matched by (the primary key); empty: whole rows. */
  key: string[];
  added: { count: number; rows: DisplayRow[] };
  removed: { count: number; rows: DisplayRow[] };
  changed: { count: number; rows: ChangedRow[] };
}

/**
 * One difference between two snapshots, by kind. `path[0]` is the table's (or view's, sequence's, …) key: its name,
 * or `schema.name` outside PostgreSQL's `public` schema. `path[1]`, where there is one, names the part of the table
 * (column, index, constraint, trigger; a constraint without a name: its columns joined with `,`, or a check's
 * expression). Renames carry the old and new names, `path` naming the new one; `rows_changed` the two counts,
 * `data_changed` the two fingerprints ('' where not taken) and, where the rows could be read, which rows differ.
 */
export type SchemaChange =
  | Added<'table_added', TableSnapshot>
  | Removed<'table_removed', TableSnapshot>
  | Changed<'table_renamed', string>
  | Added<'column_added', ColumnSnapshot>
  | Removed<'column_removed', ColumnSnapshot>
  | Changed<'column_changed', ColumnSnapshot>
  | Changed<'column_renamed', string>
  | Changed<'primary_key_changed', PrimaryKeySnapshot | null>
  | Changed<'rows_changed', number>
  | (Changed<'data_changed', string> & { rows?: RowDiff })
  | { [N in keyof SetParts]: SetPartChange<N> }[keyof SetParts]
  | { [N in keyof NamedParts]: NamedPartChange<N> }[keyof NamedParts];

export type SchemaChangeKind = SchemaChange['kind'];

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
