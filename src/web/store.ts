/**
 * The playground's state (zustand) and its actions. Views read the state and call the actions; only the actions
 * talk to the engine worker, local storage and the URL.
 */
import { create } from 'zustand';
import { describeRunError, type MigrationResult, type RunError, type StatusEntry } from '../core/results.ts';
import { EXAMPLE_FILES, migrationTemplate } from './examples.ts';
import { idOf, nameProblem, nextNumber, normalizeName, sortFiles } from './files.ts';
import { clockOf } from './format.ts';
import { loadSaved, save } from './persist.ts';
import { beginProgress, endProgress, noteRunEvent, useRunProgress } from './run-progress.ts';
import type { DecodeResult, SharedState } from './share.ts';
import { recordReset, recordRun, recordSql, recordStop } from './timeline.ts';
import { EngineClient, StoppedError } from './worker/client.ts';
import {
  COMMAND_LABELS,
  ENGINE_LABELS,
  type CommandResult,
  type DbView,
  type DiffLine,
  type EngineId,
  type EngineState,
  type RunCommand,
  type RunEvent,
  type SchemaView,
  type SourceFile,
  type SqlConsoleResult,
  type VerifyReport,
  type WorkerRequestBody,
} from './worker/protocol.ts';
import { plural } from '../core/plural.ts';

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

export interface PlaygroundState {
  files: SourceFile[];
  selected: string | null;
  engine: EngineId;
  engineState: EngineState;
  engineMessage: string | null;
  /** The label of the command the worker is running, or null. */
  busy: string | null;
  status: StatusEntry[];
  /** Failed or skipped in the last run that touched them, by id. */
  outcomes: Record<string, 'failed' | 'skipped'>;
  schema: SchemaView | null;
  schemaError: string | null;
  diff: { title: string; lines: DiffLine[] } | null;
  log: LogEntry[];
  alert: Alert | null;
  /** Run errors to mark in the editor, by file name. */
  markers: Record<string, Marker[]>;
  /** Asks the editor to show a line; `nonce` makes the same request twice count twice. */
  jump: (SourceLink & { nonce: number }) | null;
  sqlResult: SqlConsoleResult | null;
  verify: VerifyReport | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Initial state: a share link in the hash, else local storage, else the examples.

interface Initial {
  state: SharedState;
  alert: Alert | null;
  fromLink: boolean;
}

/**
 * The share-link codec (src/web/share.ts, with its compression model and dictionary) is fetched only when a link is
 * opened or made: most loads have no link, and it is not needed before "SQLite ready".
 */
const shareCodec = () => import('./share.ts');
const CODEC_UNAVAILABLE =
  'The share-link reader could not be downloaded (offline, or the site was updated): reload ' +
  'the page to try again.';

/** A link decoded, or refused with a message (also when the codec itself cannot be fetched). */
async function decodeLink(hash: string): Promise<DecodeResult> {
  let codec: Awaited<ReturnType<typeof shareCodec>>;
  try {
    codec = await shareCodec();
  } catch {
    return { ok: false, message: `${CODEC_UNAVAILABLE} Nothing was loaded.` };
  }
  return codec.decodeShare(hash);
}

async function initial(): Promise<Initial> {
  const hash = typeof location !== 'undefined' ? location.hash : '';
  const fallback = (): SharedState =>
    loadSaved() ?? { files: EXAMPLE_FILES.map((f) => ({ ...f })), engine: 'sqlite', selected: EXAMPLE_FILES[0]!.name };
  if (hash.length > 1) {
    const decoded = await decodeLink(hash);
    if (decoded.ok) {
      const files = sortFiles(decoded.state.files);
      return {
        state: { ...decoded.state, files, selected: decoded.state.selected ?? files[0]?.name ?? null },
        alert: null,
        fromLink: true,
      };
    }
    return { state: fallback(), alert: { message: decoded.message }, fromLink: false };
  }
  return { state: fallback(), alert: null, fromLink: false };
}

// A module-level await: with a link in the address, the page renders its files from the first paint on.
const start = await initial();

export const useStore = create<PlaygroundState>()(() => ({
  files: start.state.files,
  selected: start.state.selected ?? start.state.files[0]?.name ?? null,
  engine: start.state.engine,
  engineState: 'loading',
  engineMessage: null,
  busy: null,
  status: [],
  outcomes: {},
  schema: null,
  schemaError: null,
  diff: null,
  log: [],
  alert: start.alert,
  markers: {},
  jump: null,
  sqlResult: null,
  verify: null,
}));

const get = useStore.getState;
const set = useStore.setState;

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

export function statusText(state: Pick<PlaygroundState, 'engine' | 'engineState' | 'engineMessage'>): string {
  const name = ENGINE_LABELS[state.engine];
  if (state.engineState === 'ready') return `${name} ready`;
  if (state.engineState === 'failed') return `${name} failed to load`;
  return `${name} loading…`;
}

// ---------------------------------------------------------------------------------------------------------------
// Log

let logId = 0;
const MAX_LOG = 400;

function clock(): string {
  return clockOf(new Date());
}

export function log(entry: Omit<LogEntry, 'id' | 'time'>): void {
  const next = [...get().log, { ...entry, id: ++logId, time: clock() }];
  set({ log: next.length > MAX_LOG ? next.slice(next.length - MAX_LOG) : next });
}

function linkOf(error: RunError): SourceLink | undefined {
  if (error.line === undefined) return undefined;
  const file = error.file ?? (error.migration ? `${error.migration}.lua` : undefined);
  return file ? { file, line: error.line } : undefined;
}

function showError(error: RunError, context: string): void {
  const link = linkOf(error);
  const text = describeRunError(error);
  const [first, ...rest] = text.split('\n');
  log({
    kind: 'error',
    text: `${context}: ${first}`,
    ...(rest.length ? { detail: rest.join('\n') } : {}),
    ...(link ? { link } : {}),
  });
  set({ alert: { message: `${context} failed — ${first}`, ...(link ? { link } : {}) } });
  if (link) {
    const markers = { ...get().markers };
    markers[link.file] = [...(markers[link.file] ?? []), { line: link.line, message: error.message }];
    set({ markers });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The engine worker

let currentRun = -1;

/** Also told of every engine message: Compare engines shows PostgreSQL loading for its own throwaway database. */
export const engineWatchers = new Set<(engine: EngineId, state: EngineState) => void>();

const client = new EngineClient({
  engine(engine, state, details) {
    for (const watch of engineWatchers) watch(engine, state);
    if (state === 'failed') {
      log({
        kind: 'error',
        text: `${ENGINE_LABELS[engine]} could not be loaded: ${details.message ?? 'unknown error'}`,
      });
      if (engine === get().engine) {
        set({
          engineState: 'failed',
          engineMessage: details.message ?? null,
          alert: { message: `${ENGINE_LABELS[engine]} could not be loaded: ${details.message ?? 'unknown error'}` },
        });
      }
    } else if (state === 'loading' && engine === 'postgres') {
      log({ kind: 'info', text: 'Loading PostgreSQL (PGlite, about 5 MB to download the first time)…' });
    }
  },
  event(requestId, event) {
    if (requestId === currentRun) progress(event);
  },
  crashed(message) {
    log({ kind: 'error', text: `The engine worker failed: ${message}` });
    set({
      engineState: 'failed',
      engineMessage: message,
      busy: null,
      alert: { message: `The engine worker failed: ${message}. Press Stop to start a fresh one.` },
    });
  },
});

function progress(event: RunEvent): void {
  noteRunEvent(event);
  if (event.type === 'output') {
    for (const line of event.lines) log({ kind: 'output', text: `${event.id}: ${line}` });
  } else if (event.type === 'done') {
    logResult(event.result);
  }
}

export const RESULT_WORDS: Record<MigrationResult['status'], string> = {
  applied: 'applied',
  reverted: 'reverted',
  skipped: 'skipped',
  failed: 'failed',
  rolled_back: 'rolled back',
};

function logResult(result: MigrationResult): void {
  const kind = result.status === 'failed' ? 'error' : result.status === 'skipped' ? 'warn' : 'ok';
  log({
    kind,
    text: `${result.id} ${RESULT_WORDS[result.status]} (${result.direction})${result.reason ? `: ${result.reason}` : ''}`,
    durationMs: result.duration_ms,
  });
}

function applyDb(db: DbView): void {
  if (db.engine !== get().engine) return;
  set({ status: db.status, schema: db.schema, schemaError: db.schemaError });
  if (db.statusError) log({ kind: 'error', text: `Reading the ledger failed: ${db.statusError.message}` });
}

/** Runs a request that occupies the worker; `label` shows as busy. Null when it did not complete. */
export async function occupy(label: string, body: WorkerRequestBody): Promise<CommandResult | null> {
  if (get().busy !== null || get().engineState !== 'ready') return null;
  set({ busy: label });
  beginProgress(label);
  try {
    return await client.request(body, (id) => {
      currentRun = id;
    });
  } catch (error) {
    if (!(error instanceof StoppedError)) {
      const message = error instanceof Error ? error.message : String(error);
      log({ kind: 'error', text: `${label} failed: ${message}` });
      set({ alert: { message: `${label} failed: ${message}` } });
    }
    return null;
  } finally {
    currentRun = -1;
    endProgress();
    if (get().busy === label) set({ busy: null });
  }
}

function sources(): SourceFile[] {
  return get().files.map((f) => ({ name: f.name, text: f.text }));
}

// ---------------------------------------------------------------------------------------------------------------
// Actions

let engineRequest = 0;

/** Makes the store's engine the worker's current one (loading it if needed). */
async function openEngine(reason: 'start' | 'switch' | 'restart'): Promise<void> {
  const engine = get().engine;
  const ticket = ++engineRequest;
  set({ engineState: 'loading', engineMessage: null });
  try {
    const result = await client.request({ type: 'open', engine });
    if (ticket !== engineRequest || result.kind !== 'open') return;
    set({ engineState: 'ready' });
    refreshStatus();
    const sincePageStart = Math.round(performance.now());
    const load = result.loadMs !== null ? ` (engine loaded in ${result.loadMs} ms)` : '';
    log({
      kind: 'ok',
      text:
        reason === 'start'
          ? `${ENGINE_LABELS[engine]} ready ${sincePageStart} ms after the page started loading${load}`
          : `${ENGINE_LABELS[engine]} ready${load}`,
    });
  } catch (error) {
    if (error instanceof StoppedError || ticket !== engineRequest) return;
    const message = error instanceof Error ? error.message : String(error);
    set({ engineState: 'failed', engineMessage: message, alert: { message } });
  }
}

export async function runCommand(command: RunCommand): Promise<void> {
  const label = COMMAND_LABELS[command];
  set({ markers: {}, alert: null });
  const result = await occupy(label, { type: 'run', command, files: sources() });
  if (!result || result.kind !== 'run') return;
  const { run } = result;
  const outcomes = { ...get().outcomes };
  for (const r of run.results) {
    if (r.status === 'failed' || r.status === 'skipped') outcomes[r.id] = r.status;
    else delete outcomes[r.id];
  }
  set({
    outcomes,
    diff: result.diff ? { title: `${label} on ${ENGINE_LABELS[result.db.engine]}`, lines: result.diff } : null,
  });
  recordRun({
    engine: result.db.engine,
    command,
    label,
    time: clock(),
    run: result.run,
    diff: result.diff,
    durationMs: result.durationMs,
  });
  applyDb(result.db);
  if (run.error) showError(run.error, label);
  const counts = new Map<string, number>();
  for (const r of run.results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const summary = [...counts]
    .map(([status, n]) => `${n} ${RESULT_WORDS[status as MigrationResult['status']]}`)
    .join(', ');
  const nothing = command.startsWith('apply') ? 'nothing to apply: every migration is applied' : 'nothing to revert';
  log({
    kind: run.ok ? 'info' : 'error',
    text: `${label}: ${summary || (run.ok ? nothing : 'stopped')}`,
    durationMs: result.durationMs,
  });
}

export async function resetDatabase(): Promise<void> {
  const result = await occupy('Reset database', { type: 'reset', files: sources() });
  if (!result || result.kind !== 'reset') return;
  set({ outcomes: {}, diff: null, markers: {}, alert: null });
  applyDb(result.db);
  recordReset(result.db.engine, clock(), 'Reset database', 'A new, empty database.');
  log({
    kind: 'info',
    text: `Database reset: a new, empty ${ENGINE_LABELS[result.db.engine]} database; every migration is pending.`,
  });
}

export async function verify(): Promise<void> {
  set({ alert: null });
  const engine = ENGINE_LABELS[get().engine];
  log({
    kind: 'info',
    text: `Verify on a throwaway ${engine} database: up, down, compare, up again for each migration…`,
  });
  const result = await occupy('Verify', { type: 'verify', files: sources() });
  if (!result || result.kind !== 'verify') return;
  const { report } = result;
  set({ verify: report });
  for (const m of report.migrations) {
    const kind = m.outcome === 'reversible' ? 'ok' : m.outcome === 'skipped' ? 'warn' : 'error';
    const words =
      m.outcome === 'reversible'
        ? `reversible${m.reapplied ? ', applies again after down' : ''}`
        : m.outcome === 'skipped'
          ? `skipped (${m.message ?? ''})`
          : `${m.outcome}: ${m.message ?? ''}`;
    const link = m.error ? linkOf(m.error) : undefined;
    const detail = m.differences.map((d) => `${'  '.repeat(d.depth)}${d.sign} ${d.text}`).join('\n');
    log({ kind, text: `Verify ${m.id}: ${words}`, ...(detail ? { detail } : {}), ...(link ? { link } : {}) });
  }
  if (report.error) showError(report.error, 'Verify');
  const bad = report.migrations.filter((m) => m.outcome === 'irreversible' || m.outcome === 'failed');
  log({
    kind: report.ok ? 'ok' : 'error',
    text: `Verify: ${report.ok ? 'every migration is reversible' : plural(bad.length, 'problem')}`,
    durationMs: report.durationMs,
  });
  if (!report.ok && !report.error) {
    const first = bad[0] ?? report.migrations.find((m) => m.reapplied === false);
    const link = first?.error ? linkOf(first.error) : undefined;
    set({
      alert: {
        message: `Verify found a problem: ${first ? `${first.id} ${first.outcome === 'reversible' ? 'does not apply again after down' : `is ${first.outcome}`}${first.message ? ` — ${first.message}` : ''}` : 'see the log'}`,
        ...(link ? { link } : {}),
      },
    });
  }
}

export async function runSql(sql: string): Promise<void> {
  if (!sql.trim()) return;
  const result = await occupy('Run SQL', { type: 'sql', sql, files: sources() });
  if (!result || result.kind !== 'sql') return;
  set({
    sqlResult: result.result,
    diff:
      result.diff && result.diff.length > 0
        ? { title: `SQL console on ${ENGINE_LABELS[result.db.engine]}`, lines: result.diff }
        : get().diff,
  });
  applyDb(result.db);
  const oneLine = sql.trim().replace(/\s+/g, ' ');
  if (result.diff && result.diff.length > 0)
    recordSql(result.db.engine, clock(), oneLine, result.diff, result.durationMs);
  log({
    kind: result.result.ok ? 'info' : 'error',
    text: `SQL ${oneLine.length > 60 ? oneLine.slice(0, 59) + '…' : oneLine}: ${result.result.message}`,
    durationMs: result.durationMs,
  });
}

export function stop(): void {
  const interrupted = get().busy;
  const finished = useRunProgress.getState().progress?.finished ?? [];
  client.restart();
  currentRun = -1;
  recordStop(clock(), get().engine, interrupted, finished);
  set({ busy: null, status: [], outcomes: {}, schema: null, diff: null, markers: {}, verify: null, sqlResult: null });
  log({
    kind: 'warn',
    text: 'Stopped: the engine worker was ended and a fresh one started. The database was reset — every migration is pending again.',
  });
  void openEngine('restart');
}

export function switchEngine(engine: EngineId): void {
  if (engine === get().engine) return;
  set({
    engine,
    diff: null,
    status: [],
    schema: null,
    outcomes: {},
    markers: {},
    alert: null,
    sqlResult: null,
    verify: null,
  });
  void openEngine('switch');
}

let statusTimer: ReturnType<typeof setTimeout> | null = null;

/** Asks for the ledger and the schema of the current database. */
function refreshStatus(): void {
  if (statusTimer) clearTimeout(statusTimer);
  statusTimer = null;
  if (get().engineState !== 'ready') return;
  client.request({ type: 'status', files: sources() }).then(
    (result) => {
      if (result.kind === 'status') applyDb(result.db);
    },
    () => {
      /* stopped or failed: the next command shows it */
    },
  );
}

/** Asks for the ledger again soon (after edits: an applied file may now be modified). */
function refreshStatusSoon(): void {
  if (statusTimer) clearTimeout(statusTimer);
  statusTimer = setTimeout(refreshStatus, 400);
}

export function selectFile(name: string): void {
  if (get().files.some((f) => f.name === name)) set({ selected: name });
}

export function updateText(name: string, text: string): void {
  const files = get().files.map((f) => (f.name === name ? { ...f, text } : f));
  const markers = { ...get().markers };
  delete markers[name];
  set({ files, markers });
  refreshStatusSoon();
}

export function newMigration(): void {
  const files = get().files;
  let base = `${nextNumber(files)}_new_migration`;
  let n = 2;
  while (files.some((f) => f.name === `${base}.lua`)) base = `${nextNumber(files)}_new_migration_${n++}`;
  const name = `${base}.lua`;
  const file = { name, text: migrationTemplate(base.replace(/^\d+_/, '')) };
  set({ files: sortFiles([...files, file]), selected: name });
  log({ kind: 'info', text: `Added ${name}. Rename it with the Rename button next to its name.` });
  refreshStatusSoon();
}

/** Renames a file; answers the problem when the new name cannot be used. */
export function renameFile(from: string, input: string): string | null {
  const to = normalizeName(input);
  if (to === null) return 'Type a name, e.g. 0004_add_phone.lua.';
  if (to === from) return null;
  const problem = nameProblem(to, get().files, from);
  if (problem) return problem;
  const files = sortFiles(get().files.map((f) => (f.name === from ? { ...f, name: to } : f)));
  const markers = { ...get().markers };
  delete markers[from];
  set({ files, selected: get().selected === from ? to : get().selected, markers });
  const applied = fileState(get(), from) !== 'pending';
  log({
    kind: 'info',
    text: `Renamed ${from} to ${to}.${applied ? ' The database knows it by its old id, which now shows as missing.' : ''}`,
  });
  refreshStatusSoon();
  return null;
}

export function deleteFile(name: string): void {
  const files = get().files;
  const index = files.findIndex((f) => f.name === name);
  if (index < 0) return;
  const rest = files.filter((f) => f.name !== name);
  const selected = get().selected === name ? (rest[Math.min(index, rest.length - 1)]?.name ?? null) : get().selected;
  set({ files: rest, selected });
  log({ kind: 'info', text: `Deleted ${name}.` });
  refreshStatusSoon();
}

export function showLine(link: SourceLink): void {
  if (!get().files.some((f) => f.name === link.file)) return;
  set({ selected: link.file, jump: { ...link, nonce: Date.now() } });
}

/** Shows a diff in the Diff panel again (a step picked in the Timeline). */
export function showDiff(title: string, lines: DiffLine[]): void {
  set({ diff: { title, lines } });
}

export function dismissAlert(): void {
  set({ alert: null });
}

export async function share(): Promise<void> {
  const { files, engine, selected } = get();
  let codec: Awaited<ReturnType<typeof shareCodec>>;
  try {
    codec = await shareCodec();
  } catch {
    set({ alert: { message: CODEC_UNAVAILABLE } });
    return;
  }
  const { encodeShare, MAX_HASH_CHARS } = codec;
  const hash = encodeShare({ files, engine, selected });
  if (hash.length > MAX_HASH_CHARS) {
    set({
      alert: {
        message: `These migrations are too large for a share link (${hash.length.toLocaleString('en-US')} characters; at most ${MAX_HASH_CHARS.toLocaleString('en-US')}).`,
      },
    });
    return;
  }
  history.replaceState(null, '', `#${hash}`);
  sharedHash = location.hash;
  let copied = false;
  try {
    await navigator.clipboard.writeText(location.href);
    copied = true;
  } catch {
    // No clipboard permission (or no secure context): the link is in the address bar all the same.
  }
  log({
    kind: 'ok',
    text: `Share link ready in the address bar${copied ? ' and copied to the clipboard' : ''} (${location.href.length.toLocaleString('en-US')} characters). Opening it shows the code and runs nothing.`,
  });
}

/**
 * Replaces the files (an example set, an import) and starts the database empty, like opening a share link: nothing
 * runs. `what` names them in the log.
 */
export async function replaceFiles(files: SourceFile[], what: string): Promise<void> {
  const sorted = sortFiles(files);
  if (get().busy !== null) stop();
  set({
    files: sorted,
    selected: sorted[0]?.name ?? null,
    markers: {},
    outcomes: {},
    diff: null,
    alert: null,
    verify: null,
    sqlResult: null,
  });
  if (get().engineState === 'ready') {
    const reset = await occupy('Reset database', { type: 'reset', files: sources() });
    if (reset?.kind === 'reset') {
      applyDb(reset.db);
      recordReset(reset.db.engine, clock(), 'Loaded files', `Loaded ${what}: an empty database.`);
    }
  }
  log({
    kind: 'info',
    text: `Loaded ${what}: ${plural(sorted.length, 'file')}, on an empty ${ENGINE_LABELS[get().engine]} database. Nothing has run: press Apply next or Apply all.`,
  });
}

/** Replaces the files with a link's (a hash pasted into this tab); the database starts empty. */
async function loadLink(hash: string): Promise<void> {
  const decoded = await decodeLink(hash);
  if (!decoded.ok) {
    set({ alert: { message: decoded.message } });
    log({ kind: 'error', text: decoded.message });
    return;
  }
  const files = sortFiles(decoded.state.files);
  sharedHash = location.hash;
  const engineChanged = decoded.state.engine !== get().engine;
  if (get().busy !== null) stop();
  set({
    files,
    selected: decoded.state.selected ?? files[0]?.name ?? null,
    engine: decoded.state.engine,
    markers: {},
    outcomes: {},
    diff: null,
    alert: null,
    verify: null,
    sqlResult: null,
  });
  if (engineChanged) await openEngine('switch');
  // The link's migrations start from an empty database, like a fresh page would.
  if (get().engineState === 'ready') {
    const reset = await occupy('Reset database', { type: 'reset', files: sources() });
    if (reset?.kind === 'reset') {
      applyDb(reset.db);
      recordReset(reset.db.engine, clock(), 'Loaded files', 'Loaded a shared link: an empty database.');
    }
  }
  log({
    kind: 'info',
    text: `Loaded a shared link: ${plural(files.length, 'file')} for ${ENGINE_LABELS[get().engine]}, on an empty database. Nothing has run.`,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Start: persistence, the URL, the engine

let sharedHash = start.fromLink ? location.hash : '';

export function startPlayground(): void {
  if (start.fromLink) {
    const n = start.state.files.length;
    log({
      kind: 'info',
      text: `Opened a shared link: ${plural(n, 'file')} for ${ENGINE_LABELS[start.state.engine]}. Nothing has run: press Apply next or Apply all to run them.`,
    });
  } else if (start.alert) {
    log({ kind: 'error', text: start.alert.message });
  }
  let saveTimer: ReturnType<typeof setTimeout> | null = null;
  const persist = () => {
    saveTimer = null;
    const { files, engine, selected } = get();
    if (!save({ files, engine, selected }))
      log({ kind: 'warn', text: 'The browser refused to save the files (local storage full or disabled).' });
  };
  useStore.subscribe((state, previous) => {
    if (state.files === previous.files && state.engine === previous.engine && state.selected === previous.selected)
      return;
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = setTimeout(persist, 250);
    // The link in the address bar no longer matches once the files or the engine change.
    if (
      (state.files !== previous.files || state.engine !== previous.engine) &&
      location.hash &&
      location.hash === sharedHash
    ) {
      history.replaceState(null, '', location.pathname + location.search);
      sharedHash = '';
    }
  });
  addEventListener('pagehide', () => {
    if (saveTimer) {
      clearTimeout(saveTimer);
      persist();
    }
  });
  addEventListener('hashchange', () => {
    if (location.hash.length > 1 && location.hash !== sharedHash) void loadLink(location.hash);
  });
  if (start.alert && location.hash) history.replaceState(null, '', location.pathname + location.search);
  void openEngine('start');
}
