/**
 * "Learning" and "Sharing and keeping": the Examples gallery, the DSL reference, the guided tour, and the downloads
 * and the import. Their own small state (which dialog is open, the tour's step, a pending replacement); the files and
 * the database stay the playground store's (src/web/store.ts), changed only through its actions.
 */
import { create } from 'zustand';
import { readImport, zipMigrations, type ImportInput } from './archive.ts';
import { isExampleSet, type ExampleSet } from './gallery.ts';
import { log, occupy, replaceFiles, useStore } from './store.ts';
import { ENGINE_LABELS, type SourceFile } from './worker/protocol.ts';

export type Dialog = 'examples' | 'reference' | null;

export interface PendingReplace {
  files: SourceFile[];
  /** What is loaded, for the question and the log: `the example "Seed data"`. */
  what: string;
}

export interface LearningState {
  dialog: Dialog;
  /** Files waiting for the person to confirm that theirs may be replaced. */
  pending: PendingReplace | null;
  /** The tour's current step, or null when it is closed. */
  tourStep: number | null;
}

export const useLearning = create<LearningState>()(() => ({ dialog: null, pending: null, tourStep: null }));

const setLearning = useLearning.setState;

export function openDialog(dialog: Dialog): void {
  setLearning({ dialog });
}

export function closeDialog(): void {
  setLearning({ dialog: null });
}

// ---------------------------------------------------------------------------------------------------------------
// Replacing the files (an example, an import)

const keyOf = (files: SourceFile[]): string =>
  JSON.stringify([...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((f) => [f.name, f.text]));

/** The files as the gallery or an import last loaded them: unchanged since, they can be replaced without asking. */
let loaded: string | null = null;

/** Whether the files hold work that replacing them would lose: anything but an untouched example set or import. */
export function hasOwnWork(files: SourceFile[] = useStore.getState().files): boolean {
  if (files.length === 0) return false;
  return keyOf(files) !== loaded && !isExampleSet(files);
}

/** Replaces the files with `files`, asking first when the current ones hold the person's own work. */
export function offerFiles(files: SourceFile[], what: string): void {
  if (hasOwnWork()) setLearning({ pending: { files, what } });
  else void load(files, what);
}

export function loadExample(set: ExampleSet): void {
  offerFiles(set.files.map((f) => ({ ...f })), `the example "${set.title}"`);
}

export function confirmReplace(): void {
  const pending = useLearning.getState().pending;
  if (pending) void load(pending.files, pending.what);
}

export function cancelReplace(): void {
  setLearning({ pending: null });
}

async function load(files: SourceFile[], what: string): Promise<void> {
  setLearning({ pending: null, dialog: null });
  loaded = keyOf(files);
  await replaceFiles(files, what);
}

// ---------------------------------------------------------------------------------------------------------------
// Downloads and the import

/** Hands `data` to the browser as a download named `fileName`. */
export function saveFile(data: Uint8Array, fileName: string, mime: string): void {
  const url = URL.createObjectURL(new Blob([data as Uint8Array<ArrayBuffer>], { type: mime }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

export const MIGRATIONS_ZIP = 'moonwalk-migrations.zip';

export function downloadMigrations(): void {
  const { files } = useStore.getState();
  if (files.length === 0) {
    useStore.setState({ alert: { message: 'There are no migrations to download. Add one with New migration, or load one from Examples.' } });
    return;
  }
  saveFile(zipMigrations(files), MIGRATIONS_ZIP, 'application/zip');
  log({ kind: 'ok', text: `Downloaded ${MIGRATIONS_ZIP}: ${files.length} file${files.length === 1 ? '' : 's'} in a migrations/ folder. Unzip it and run: moonwalk up --db sqlite:app.db --dir migrations` });
}

export async function downloadDatabase(): Promise<void> {
  const result = await occupy('Download database', { type: 'export' });
  if (!result || result.kind !== 'export') return;
  saveFile(result.data, result.fileName, result.mime);
  const size = result.data.length >= 10_000 ? `${Math.round(result.data.length / 1000).toLocaleString('en-US')} kB` : `${result.data.length} bytes`;
  log({
    kind: 'ok',
    text: result.engine === 'sqlite'
      ? `Downloaded ${result.fileName} (${size}): the SQLite database file, ledger included (moonwalk status --db sqlite:${result.fileName}).`
      : `Downloaded ${result.fileName} (${size}): a plain SQL dump of the ${ENGINE_LABELS[result.engine]} database (psql -f ${result.fileName} restores it).`,
  });
}

/** Reads what the person chose in the file picker and loads it (after asking, when their own work would go). */
export async function importFiles(chosen: File[]): Promise<void> {
  if (chosen.length === 0) return;
  let inputs: ImportInput[];
  try {
    inputs = await Promise.all(chosen.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
  } catch (error) {
    const message = `Import failed: the file could not be read (${error instanceof Error ? error.message : String(error)}).`;
    useStore.setState({ alert: { message } });
    log({ kind: 'error', text: message });
    return;
  }
  const result = readImport(inputs);
  if (!result.ok) {
    useStore.setState({ alert: { message: result.message } });
    log({ kind: 'error', text: result.message });
    return;
  }
  const from = chosen.length === 1 ? chosen[0]!.name : `${chosen.length} files`;
  offerFiles(result.files, `the migrations imported from ${from}`);
}

// ---------------------------------------------------------------------------------------------------------------
// The tour

const TOUR_KEY = 'moonwalk.tour.v1';

export function tourSeen(): boolean {
  try {
    return localStorage.getItem(TOUR_KEY) === 'seen';
  } catch {
    return true; // no storage: do not show it on every visit
  }
}

export function startTour(): void {
  try {
    localStorage.setItem(TOUR_KEY, 'seen');
  } catch {
    // shown all the same
  }
  setLearning({ tourStep: 0 });
}

export function setTourStep(step: number | null): void {
  setLearning({ tourStep: step });
}
