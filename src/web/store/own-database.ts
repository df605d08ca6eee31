/**
 * The person's own database as the starting state (issue 13): a SQLite file opened or dropped on the page, a SQL dump
 * pasted or opened, "Start empty", and the database kept in the browser (src/web/db-keep.ts) and restored on reload.
 */
import { sqliteFileProblem } from '../worker/baseline.ts';
import {
  ENGINE_LABELS,
  type GivenBaseline,
  type LinkBaseline,
  type RowsPage,
  type SqliteFileToRead,
} from '../worker/protocol.ts';
import { plural } from '../../core/plural.ts';
import { megabytes } from '../format.ts';
import { keptSlot, type Change, type Ctx, type DatabaseKeeper } from './context.ts';
import { switchEngine } from './engine.ts';
import { withLog } from './log.ts';
import { chain, occupy, sources, withDb } from './runs.ts';
import { replaceFiles } from './workspace.ts';
import { EXAMPLE_FILES } from '../examples.ts';
import { idle } from './state.ts';
import type { PlaygroundState } from './state.ts';

export type { DatabaseKeeper } from './context.ts';

export const SQLITE_FILE = /\.(sqlite3?|db)$/i;

function opened(state: PlaygroundState, note: string): Change {
  return {
    outcomes: {},
    diff: null,
    markers: {},
    alert: null,
    notice: note,
    ...withLog(state, { kind: 'info', text: note }),
  };
}

async function startWith(
  ctx: Ctx,
  label: string,
  baseline: GivenBaseline,
  describe: (notes: string[]) => string,
): Promise<boolean> {
  const result = await occupy(ctx, label, { type: 'baseline', baseline, files: sources(ctx.get()) }, (state, result) =>
    result.ok
      ? chain(
          state,
          (s) => withDb(s, result.db),
          // The page keeps what it gave (a file stays its File): a big file's bytes never come back from the worker.
          (s) => ({ baselines: { ...s.baselines, [result.db.engine]: baseline } }),
          (s) => opened(s, describe(result.notes)),
        )
      : { alert: { message: result.message }, ...withLog(state, { kind: 'error', text: result.message }) },
  );
  return result?.ok === true;
}

/** "Open database file": a SQLite file as the starting database (SQLite becomes the engine). */
export function openDatabaseFile(ctx: Ctx, file: File): Promise<boolean> {
  if (!SQLITE_FILE.test(file.name)) {
    refuse(ctx, `${file.name} is not a SQLite database file (.sqlite, .sqlite3 or .db). Nothing was changed.`);
    return Promise.resolve(false);
  }
  return openSqliteBlob(ctx, file.name, file, 'Opened');
}

/** A SQLite file given by `moonwalk play --from sqlite:PATH` as the starting database (SQLite becomes the engine). */
export function openServedDatabase(ctx: Ctx, served: SqliteFileToRead): Promise<boolean> {
  return openSqliteBlob(ctx, served.name, served.file, 'Opened a copy of');
}

function refuse(ctx: Ctx, problem: string): void {
  ctx.update((s) => ({ alert: { message: problem }, ...withLog(s, { kind: 'error', text: problem }) }));
}

/**
 * A SQLite file's Blob as the starting database. The worker reads it, saying how much of it is read (the progress
 * line: 'Open database file — N of M MB'); the page keeps the Blob, never a copy of its bytes.
 */
async function openSqliteBlob(ctx: Ctx, name: string, file: Blob, opened: string): Promise<boolean> {
  const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  const problem = sqliteFileProblem(name, file.size, head);
  if (problem !== null) {
    refuse(ctx, problem);
    return false;
  }
  if (ctx.get().engine !== 'sqlite') await switchEngine(ctx, 'sqlite');
  return startWith(
    ctx,
    'Open database file',
    { kind: 'sqlite-blob', name, file },
    (notes) =>
      `${opened} ${name} (${megabytes(file.size)}, ${notes.join(', ')}) as the starting database: Reset database comes back to it; the file itself is never changed.`,
  );
}

/** "Load SQL dump": the dump loaded into a new database of the current engine, as the starting database. */
export function loadSqlDump(ctx: Ctx, text: string, name = 'SQL dump'): Promise<boolean> {
  const engine = ctx.get().engine;
  return startWith(ctx, 'Load SQL dump', { kind: 'dump', name, text, engine }, (notes) =>
    [
      `Loaded the ${name} into ${ENGINE_LABELS[engine]} as the starting database: Reset database comes back to it.`,
      ...notes,
    ].join(' '),
  );
}

/** A share link's starting database, loaded as the starting database (the link's engine is the current one). */
export function loadLinkBaseline(ctx: Ctx, baseline: LinkBaseline): Promise<boolean> {
  const engine = ctx.get().engine;
  const { name, sql, rowsLeftOut } = baseline;
  return startWith(ctx, 'Load SQL dump', { kind: 'dump', name, text: sql, engine }, (notes) =>
    [
      `This link carries a starting database, ${name}: loaded into ${ENGINE_LABELS[engine]}; Reset database comes back to it.`,
      rowsLeftOut > 0 ? `${plural(rowsLeftOut, 'row')} of its data did not fit in the link and were left out.` : '',
      ...notes,
    ]
      .filter(Boolean)
      .join(' '),
  );
}

/** Rows shown per page in the Schema tree's rows grid. */
export const ROWS_PAGE = 50;

/** A page of `table`'s rows in the current database (null: the worker was stopped meanwhile). */
export async function readRows(ctx: Ctx, table: string, offset: number): Promise<RowsPage | null> {
  try {
    const { kind: _kind, ...page } = await ctx.client().request({ type: 'rows', table, offset, limit: ROWS_PAGE });
    return page;
  } catch {
    return null;
  }
}

/** "Start empty": forgets the starting database; an empty one instead. */
export async function startEmpty(ctx: Ctx): Promise<void> {
  await occupy(ctx, 'Start empty', { type: 'start-empty', files: sources(ctx.get()) }, (state, result) =>
    chain(
      state,
      (s) => withDb(s, result.db),
      (s) => ({ baselines: withoutKey(s.baselines, result.db.engine) }),
      (s) =>
        opened(
          s,
          `Started empty: a new, empty ${ENGINE_LABELS[result.db.engine]} database; every migration is pending.`,
        ),
    ),
  );
}

function withoutKey<K extends string, V>(record: Partial<Record<K, V>>, key: K): Partial<Record<K, V>> {
  const { [key]: _gone, ...rest } = record;
  return rest as Partial<Record<K, V>>;
}

/**
 * "Clear workspace" (asked first by the page): the files and the database kept in this browser forgotten, and what it
 * kept of share links (their edited files and databases: an old link opens again as it was made); the examples back,
 * on an empty database, on the engine in use.
 */
export async function clearWorkspace(ctx: Ctx, keeper?: DatabaseKeeper): Promise<void> {
  if (!idle(ctx.get())) return;
  await replaceFiles(
    ctx,
    EXAMPLE_FILES.map((f) => ({ ...f })),
    'the examples',
    { workspace: 'own' },
  );
  await startEmpty(ctx);
  ctx.surroundings.forgetEditedLinks();
  const forgotten = keeper ? await keeper.forget() : true;
  const text = forgotten
    ? 'Cleared the workspace: your files, the database kept in this browser and its copies of share links you opened are forgotten; the examples are back, on an empty database.'
    : 'Cleared the workspace, but the browser refused to forget the databases it keeps (storage disabled?).';
  ctx.update((s) => ({ notice: text, ...withLog(s, { kind: forgotten ? 'info' : 'warn', text }) }));
}

/** Stores the current database (after each command), a share link's apart from the person's own. */
export async function keepNow(ctx: Ctx, keeper: DatabaseKeeper): Promise<void> {
  const slot = keptSlot(ctx.get());
  try {
    const reply = await ctx.client().request({ type: 'keep' });
    const kept = { ...reply.kept, baseline: ctx.get().baselines[reply.kept.engine] ?? null };
    // An empty database with nothing applied and no baseline is what a fresh page has anyway: nothing to restore.
    const nothing = kept.baseline === null && kept.applied.length === 0 && (ctx.get().schema?.tables.length ?? 0) === 0;
    if (!(await keeper.keep(nothing ? null : kept, slot))) {
      ctx.update((s) =>
        withLog(s, { kind: 'warn', text: 'The browser refused to keep the database (storage full or disabled).' }),
      );
    }
  } catch {
    /* stopped or failed: the next command keeps it */
  }
}

/**
 * After a reload: the database kept by the last visit (of this share link, on a link), when it was on the engine the
 * page starts with; false when there was none to restore.
 */
export async function restoreKept(ctx: Ctx, keeper: DatabaseKeeper): Promise<boolean> {
  const kept = await keeper.kept(keptSlot(ctx.get()));
  if (kept === null || kept.engine !== ctx.get().engine) return false;
  const restored = await occupy(
    ctx,
    'Restore database',
    { type: 'restore-kept', kept, files: sources(ctx.get()) },
    (state, result) =>
      chain(
        state,
        (s) => withDb(s, result.db),
        (s) => ({ baselines: kept.baseline ? { ...s.baselines, [kept.engine]: kept.baseline } : s.baselines }),
        (s) => ({ notice: result.note, ...withLog(s, { kind: 'info', text: result.note }) }),
      ),
  );
  return restored !== null;
}
