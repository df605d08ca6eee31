/**
 * The playground's state: one plain-data value (no functions, timers or handles), changed only by the named actions
 * of the files beside this one, each user action one update (store/playground.ts). Views read it and dispatch
 * actions; the derived values views need are the functions at the end.
 */
import type { MigrationResult, StatusEntry } from '../../core/results.ts';
import type { RunProgress } from '../run-progress.ts';
import { idOf } from '../files.ts';
import type { ThemeChoice } from '../theme.ts';
import { EMPTY_TIMELINE, type Timeline } from '../timeline.ts';
import {
  ENGINE_LABELS,
  type Baselines,
  type Checkpoint,
  type CompareReport,
  type DiffLine,
  type EngineId,
  type EngineState,
  type LinkBaseline,
  type SchemaView,
  type SourceFile,
  type SqlConsoleResult,
  type VerifyReport,
} from '../worker/protocol.ts';

export type FileState = 'pending' | 'applied' | 'modified' | 'failed' | 'skipped';

export interface SourceLink {
  file: string;
  line: number;
}

export interface LogEntry {
  id: number;
  time: string;
  kind: 'info' | 'ok' | 'error' | 'warn' | 'output';
  text: string;
  /** More lines (the SQL statement, a verify difference, …). */
  detail?: string;
  durationMs?: number;
  link?: SourceLink;
}

export interface Marker {
  line: number;
  message: string;
}

export interface Alert {
  message: string;
  link?: SourceLink;
}

/** The Compare engines dialog. */
export interface CompareState {
  open: boolean;
  /** `running` until the worker answers; `ended` when it did not (stopped, or the worker failed: see the log). */
  phase: 'idle' | 'running' | 'done' | 'ended';
  /** PostgreSQL's files are being fetched for this run (the first time PGlite is used in the page). */
  loadingPostgres: boolean;
  report: CompareReport | null;
}

export interface PlaygroundState {
  // The workspace: the person's files (store/workspace.ts).
  files: SourceFile[];
  selected: string | null;
  /** Run errors to mark in the editor, by file name. */
  markers: Record<string, Marker[]>;
  /** A file just added with New migration, waiting for the person to name it (the file bar asks). */
  naming: string | null;
  /** Asks the editor to show a line; `nonce` makes the same request twice count twice. */
  jump: (SourceLink & { nonce: number }) | null;

  // The engine (store/engine.ts).
  engine: EngineId;
  engineState: EngineState;
  engineMessage: string | null;
  /** Counts the engine openings asked for: the answer to an older one is ignored. */
  engineTicket: number;

  // Runs and what they show of the current database (store/runs.ts).
  /** The label of the command the worker is running, or null. */
  busy: string | null;
  /** The worker's id of that command's request (its events carry it); null before the id is known. */
  runId: number | null;
  progress: RunProgress | null;
  /** The database as that command found it (its first event): what a Stop puts back. */
  checkpoint: Checkpoint | null;
  /** Each engine's starting database (store/own-database.ts), as the worker has it: a Stop gives them to the next. */
  baselines: Baselines;
  status: StatusEntry[];
  /** Failed or skipped in the last run that touched them, by id. */
  outcomes: Record<string, 'failed' | 'skipped'>;
  schema: SchemaView | null;
  schemaError: string | null;
  diff: { title: string; lines: DiffLine[] } | null;
  sqlResult: SqlConsoleResult | null;
  /** The database (its schema or its row counts) has changed since the SQL console's result was read. */
  sqlStale: boolean;
  verify: VerifyReport | null;
  timeline: Timeline;
  compare: CompareState;

  // What the person is told.
  alert: Alert | null;
  log: LogEntry[];
  /** The id of the last log entry written (entries dropped for age included). */
  lastLogId: number;

  // Sharing (store/share.ts).
  /**
   * Whose files these are: the person's own, or a share link's (kept apart: saved on their own, never over the
   * person's files, which the plain address shows again).
   */
  workspace: 'own' | 'link';
  /** The address's hash as the last share link (made or opened) left it; '' when it no longer matches the files. */
  sharedHash: string;

  /** Said by the Share button for a moment: "Link copied", … */
  shareNote: string | null;

  // The page itself.
  shortcutsOpen: boolean;
  theme: ThemeChoice;

  /** A note the person should hear (a database opened or restored, a dump's skipped lines): `role="status"`. */
  notice: string | null;

  /** The page opened by `moonwalk play` over a folder (store/play.ts); null otherwise. */
  play: PlayState | null;
}

/** What the page knows of the `moonwalk play` folder its files come from. */
export interface PlayState {
  /** The folder as the command was given it. */
  folder: string;
  /** Each file's version on disk (the hash of its bytes) as the page last read or saved it, by name. */
  versions: Record<string, string>;
  /** Each file's text as the page last read or saved it: a file whose text differs has edits to save. */
  savedText: Record<string, string>;
  saving: boolean;
}

/** What the page starts from: a share link, the saved files, or the examples. */
export interface Start {
  files: SourceFile[];
  selected: string | null;
  engine: EngineId;
  alert: Alert | null;
  /** The hash of the share link it was opened with, or ''. */
  sharedHash: string;
  workspace: 'own' | 'link';
  theme: ThemeChoice;
  play?: PlayState | null;
  /** The starting database a share link carries, loaded once the engine is ready. */
  baseline?: LinkBaseline | null;
}

export function initialState(start: Start): PlaygroundState {
  return {
    files: start.files,
    selected: start.selected ?? start.files[0]?.name ?? null,
    markers: {},
    naming: null,
    jump: null,
    engine: start.engine,
    engineState: 'loading',
    engineMessage: null,
    engineTicket: 0,
    busy: null,
    runId: null,
    progress: null,
    checkpoint: null,
    baselines: {},
    status: [],
    outcomes: {},
    schema: null,
    schemaError: null,
    diff: null,
    sqlResult: null,
    sqlStale: false,
    verify: null,
    timeline: EMPTY_TIMELINE,
    compare: { open: false, phase: 'idle', loadingPostgres: false, report: null },
    alert: start.alert,
    log: [],
    lastLogId: 0,
    sharedHash: start.sharedHash,
    workspace: start.workspace,
    shareNote: null,
    shortcutsOpen: false,
    theme: start.theme,
    notice: null,
    play: start.play ?? null,
  };
}

/**
 * What the current database showed, cleared: after a Stop, a switch of engine, new files. The database views come
 * back with the next status.
 */
export const CLEARED_RUN_VIEW = {
  status: [],
  outcomes: {},
  schema: null,
  schemaError: null,
  diff: null,
  markers: {},
  alert: null,
  sqlResult: null,
  sqlStale: false,
  verify: null,
} satisfies Partial<PlaygroundState>;

// ---------------------------------------------------------------------------------------------------------------
// Derived values

export function fileState(state: Pick<PlaygroundState, 'status' | 'outcomes'>, name: string): FileState {
  const id = idOf(name);
  const entry = state.status.find((e) => e.id === id);
  if (entry?.status === 'applied') return 'applied';
  if (entry?.status === 'modified') return 'modified';
  return state.outcomes[id] ?? 'pending';
}

/** Applied migrations whose file is gone. */
export function missingIds(state: Pick<PlaygroundState, 'status'>): string[] {
  return state.status.filter((e) => e.status === 'missing').map((e) => e.id);
}

export function statusText(state: Pick<PlaygroundState, 'engine' | 'engineState'>): string {
  const name = ENGINE_LABELS[state.engine];
  if (state.engineState === 'ready') return `${name} ready`;
  if (state.engineState === 'failed') return `${name} failed to load`;
  return `${name} loading…`;
}

/** The files with edits Save has not written to the `moonwalk play` folder yet. */
export function unsavedFiles(state: Pick<PlaygroundState, 'files' | 'play'>): string[] {
  const play = state.play;
  return play === null ? [] : state.files.filter((f) => play.savedText[f.name] !== f.text).map((f) => f.name);
}

/** Whether the run controls can be used: the engine ready and nothing running. */
export function idle(state: Pick<PlaygroundState, 'busy' | 'engineState'>): boolean {
  return state.busy === null && state.engineState === 'ready';
}

export const RESULT_WORDS: Record<MigrationResult['status'], string> = {
  applied: 'applied',
  reverted: 'reverted',
  skipped: 'skipped',
  failed: 'failed',
  rolled_back: 'rolled back',
};
