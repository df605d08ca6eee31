/**
 * The messages between the page and the engine worker: plain data only (structured clone), both directions typed
 * here and nowhere else. The page sends a `WorkerRequest` with an `id`; the worker answers each with exactly one
 * `done` (or `failed` if the worker itself broke), and may send `event`s for that id while it runs, and `engine`
 * messages whenever an engine starts loading, becomes ready or fails.
 */
import type { MigratorEvent } from '../../core/migrator.ts';
import type { Direction, RunError, RunResult, StatusEntry } from '../../core/results.ts';
import type { EngineFinding } from '../../core/schema/compare-engines.ts';
import type { TraceMigration } from '../../core/trace.ts';
import type { LessonVerdict } from '../lessons/verdict.ts';

export type EngineId = 'sqlite' | 'postgres';

export const ENGINE_LABELS: Record<EngineId, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/** A migration file as the page holds it. */
export interface SourceFile {
  name: string;
  text: string;
}

export type RunCommand = 'apply-next' | 'apply-all' | 'revert-last' | 'revert-all' | 'redo';

export const COMMAND_LABELS: Record<RunCommand, string> = {
  'apply-next': 'Apply next',
  'apply-all': 'Apply all',
  'revert-last': 'Revert last',
  'revert-all': 'Revert all',
  redo: 'Redo',
};

export type WorkerRequest =
  /**
   * Makes `engine` the current one, loading it first if needed (PGlite is imported only then). Answers as soon as
   * the engine can run; ask for `status` to see the database.
   */
  | { type: 'open'; id: number; engine: EngineId }
  | { type: 'run'; id: number; command: RunCommand; files: SourceFile[] }
  | { type: 'status'; id: number; files: SourceFile[] }
  /** Throws the current engine's database away and starts an empty one. */
  | { type: 'reset'; id: number; files: SourceFile[] }
  /** up, down, compare, up again for each migration, on a throwaway database of the current engine. */
  | { type: 'verify'; id: number; files: SourceFile[] }
  /** Every file applied on a fresh throwaway SQLite and PostgreSQL database each, and their schemas compared. */
  | { type: 'compare'; id: number; files: SourceFile[] }
  /** A SQL console statement (or script) against the current database, outside any migration. */
  | { type: 'sql'; id: number; sql: string; files: SourceFile[] }
  /** The current database as a file: SQLite's own file, or a plain SQL dump of PostgreSQL (src/web/db-export.ts). */
  | { type: 'export'; id: number }
  /**
   * After a Stop, in the fresh worker: each engine's baseline given back, the current database put back from a
   * checkpoint (or, when the stopped command had not sent one yet, from the database kept when the last command ended,
   * or else from the baseline), and the migrations the stopped command had finished since run again (`replay`), so
   * that what committed stays.
   */
  | {
      type: 'restore';
      id: number;
      checkpoint: Checkpoint | null;
      kept: KeptDatabase | null;
      baselines: Baselines;
      replay: { direction: Direction; steps: number } | null;
      files: SourceFile[];
    }
  /**
   * A database of the person's own as the starting state (the baseline): a SQLite file (SQLite becomes the current
   * engine), or a SQL dump loaded on the current engine. Reset database, Verify and a reload start from it. A file that
   * is not a database, or a dump that fails, changes nothing.
   */
  | { type: 'baseline'; id: number; baseline: GivenBaseline; files: SourceFile[] }
  /** Forgets the current engine's baseline and starts an empty database ("Start empty"). */
  | { type: 'start-empty'; id: number; files: SourceFile[] }
  /** What the page keeps in the browser to be back after a reload: the baseline and the database as it is now. */
  | { type: 'keep'; id: number }
  /** Opens what `keep` answered (after a reload) as the current database. */
  | { type: 'restore-kept'; id: number; kept: KeptDatabase; files: SourceFile[] }
  /** A page of a table's rows (the Schema tree's rows grid), read-only. */
  | { type: 'rows'; id: number; table: string; offset: number; limit: number }
  /** The current engine's baseline as SQL for a share link: its schema always, its data up to `budget` characters. */
  | { type: 'link-baseline'; id: number; budget: number }
  /** A lesson's Check (src/web/lessons/check.ts) on `files`, on throwaway databases: the current one is not touched. */
  | { type: 'check'; id: number; lesson: string; files: SourceFile[] };

/** A starting database: a SQLite file's bytes, or a SQL dump's text (src/core/sql/dump.ts). */
export type Baseline =
  | { kind: 'sqlite-file'; name: string; bytes: Uint8Array }
  | { kind: 'dump'; name: string; text: string; engine: EngineId };

/**
 * A SQLite file the worker reads itself (the person's file, as the picker or a drop gives it), saying how many of its
 * bytes it has read as it goes; it becomes a `sqlite-file` baseline.
 */
export interface SqliteFileToRead {
  kind: 'sqlite-blob';
  name: string;
  file: Blob;
}

/**
 * A starting database as the page holds it: a SQLite file stays the `Blob` the person gave (posting one copies no
 * bytes), which the worker reads when it needs the bytes (the open itself, a fresh worker after Stop, a reload), so
 * that a big file's bytes never travel back to the page.
 */
export type GivenBaseline = Baseline | SqliteFileToRead;

/** A starting database carried in a share link: SQL for its engine, and how many of its rows were left out to fit. */
export interface LinkBaseline {
  name: string;
  sql: string;
  rowsLeftOut: number;
}

/** Each engine's baseline, where it has one (the page keeps them to give them to a fresh worker after a Stop). */
export type Baselines = Partial<Record<EngineId, GivenBaseline>>;

/** The current database as the page keeps it (src/web/db-keep.ts): SQLite's file; PostgreSQL rebuilt from its dump. */
export interface KeptDatabase {
  engine: EngineId;
  baseline: GivenBaseline | null;
  /** The current SQLite database's file (null on PostgreSQL: its baseline and the applied migrations rebuild it). */
  sqlite: Uint8Array | null;
  /** The ids applied, and the text each had when applied (to rebuild PostgreSQL and to revert with). */
  applied: SourceFile[];
}

/** The current database as it was when an occupying request started (sent as its first event). */
export interface Checkpoint {
  engine: EngineId;
  /** `exportDatabase`'s file: SQLite's own, or PostgreSQL's SQL dump. */
  image: Uint8Array;
  /** The text of each applied migration as it was applied (what Revert uses). */
  applied: SourceFile[];
  /** The command that followed, if it was one of the run commands. */
  command: RunCommand | null;
}

export type RequestType = WorkerRequest['type'];
export type RequestOf<T extends RequestType> = Extract<WorkerRequest, { type: T }>;

/** A request as the page writes it; the client adds the `id`. */
export type WorkerRequestBody = WorkerRequest extends infer R
  ? R extends { id: number }
    ? Omit<R, 'id'>
    : never
  : never;

// ---------------------------------------------------------------------------------------------------------------
// What the worker shows of a database: small view types, so that the page does not depend on the schema module.

export interface ColumnView {
  name: string;
  type: string;
  nullable: boolean;
  primaryKey: boolean;
  default: string | null;
}

export interface TableView {
  name: string;
  columns: ColumnView[];
  /** One line each: `unique (email)`, `index idx_users_name (name)`, `unique index … where …`. */
  indexes: string[];
  /** One line each: `foreign key (user_id) → users (id) on delete cascade`. */
  foreignKeys: string[];
  /** One line each: `check (price > 0)`, `check positive_price (price > 0)`. */
  checks: string[];
  rows: number | null;
}

export interface SchemaView {
  tables: TableView[];
  /** Other objects, one line each (`view active_users`, `trigger …`, `sequence …`, `enum …`). */
  others: string[];
}

export interface DiffLine {
  sign: '+' | '-' | '~' | ' ';
  /** Nesting: 0 for a table or other object, 1 for a part of a table. */
  depth: number;
  text: string;
}

/** The state of the current database after a request. */
export interface DbView {
  engine: EngineId;
  /** The ledger seen against the files: applied / pending / modified / missing. */
  status: StatusEntry[];
  statusError: RunError | null;
  schema: SchemaView | null;
  schemaError: string | null;
}

export interface VerifyEntry {
  id: string;
  outcome: 'reversible' | 'irreversible' | 'skipped' | 'failed';
  /** What `down` did not undo, as diff lines. */
  differences: DiffLine[];
  /** Whether `up` ran again after `down` (absent when it was not tried). */
  reapplied?: boolean;
  message?: string;
  error?: RunError;
}

export interface VerifyReport {
  ok: boolean;
  engine: EngineId;
  migrations: VerifyEntry[];
  /** A problem that stopped verification outside any one migration. */
  error?: RunError;
  durationMs: number;
}

/** One engine's half of Compare engines (src/web/worker/compare.ts). */
export interface CompareSide {
  engine: EngineId;
  /** `up` of every file on a fresh database; null when the engine could not be loaded. */
  run: RunResult | null;
  schema: SchemaView | null;
  /** The engine failed to load, or its schema could not be read. */
  error: string | null;
  /** Opening the database (PGlite's download included, the first time). */
  loadMs: number;
  runMs: number;
}

export interface CompareReport {
  /** SQLite, then PostgreSQL; `findings[i].values` are in this order too. */
  sides: [CompareSide, CompareSide];
  /** Both schemas were read; false when either engine could not be loaded or read (then there are no findings). */
  compared: boolean;
  findings: EngineFinding[];
  durationMs: number;
  /** The person's starting database both sides started from (its name), or null: empty databases. */
  startsFrom: string | null;
}

export interface SqlConsoleResult {
  ok: boolean;
  columns: string[];
  /** Values as display text; NULL is null. */
  rows: (string | null)[][];
  /** For statements without rows: what happened. */
  message: string;
  truncated: boolean;
}

/** What each request answers, by its type (the result's `kind` is the request's `type`). */
interface ResultData {
  open: { engine: EngineId; loadMs: number | null };
  status: { db: DbView };
  reset: { db: DbView };
  run: {
    command: RunCommand;
    run: RunResult;
    diff: DiffLine[] | null;
    db: DbView;
    durationMs: number;
    /** On PostgreSQL: the locks and rewrites of each migration applied (core/trace.ts); null elsewhere. */
    trace: TraceMigration[] | null;
  };
  verify: { report: VerifyReport };
  compare: { report: CompareReport };
  sql: { result: SqlConsoleResult; diff: DiffLine[] | null; db: DbView; durationMs: number };
  export: { engine: EngineId; fileName: string; mime: string; data: Uint8Array };
  /** `lost`: the baselines the fresh worker could not read (a file changed on disk since), dropped with why. */
  restore: { db: DbView; replayed: RunResult | null; lost: { engine: EngineId; message: string }[] };
  baseline:
    { ok: true; db: DbView; notes: string[] } | { ok: false; message: string; statement?: number; line?: number };
  'start-empty': { db: DbView };
  /** Without the baseline: the page has it already (`Baselines`). */
  keep: { kept: Omit<KeptDatabase, 'baseline'> };
  'restore-kept': { db: DbView; note: string };
  'link-baseline': { baseline: LinkBaseline | null };
  check: { verdict: LessonVerdict };
  rows: RowsPage;
}

/** A page of a table's rows: values as display text (NULL: null), and how many rows the table has. */
export interface RowsPage {
  table: string;
  columns: string[];
  rows: (string | null)[][];
  offset: number;
  total: number;
  /** Why the rows could not be read, or null. */
  error: string | null;
}

/** The result of a request of type `T`: `request({ type: 'run', … })` answers a `ResultOf<'run'>`. */
export type ResultOf<T extends RequestType> = { [K in RequestType]: { kind: K } & ResultData[K] }[T];

export type CommandResult = ResultOf<RequestType>;

export type EngineState = 'loading' | 'ready' | 'failed';

/**
 * What the page hears while a command runs: the runner's own events, plus two of the worker's — `plan` (how many
 * migrations the command will go through, sent before the first) and `progress` (statements sent to the database
 * so far in this command; at most about ten a second, see src/web/worker/statement-counter.ts).
 */
export type RunEvent =
  | MigratorEvent
  | { type: 'plan'; steps: number }
  | {
      type: 'progress';
      statements: number;
      /** A SQL dump's load: its statements in all. */
      of?: number;
      /** A SQLite file's read: its bytes read so far, of `total`. */
      bytes?: { read: number; total: number };
    }
  | { type: 'checkpoint'; checkpoint: Checkpoint };

export type WorkerReply =
  | { type: 'engine'; engine: EngineId; state: EngineState; message?: string; loadMs?: number }
  | { type: 'event'; id: number; event: RunEvent }
  | { type: 'done'; id: number; result: CommandResult }
  | { type: 'failed'; id: number; message: string };
