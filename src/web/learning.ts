/**
 * "Learning" and "Sharing and keeping": the Examples gallery, the DSL reference, the guided tour, and the downloads
 * and the import. Their own small state (which dialog is open, the tour's step, a pending replacement); the files and
 * the database stay the playground store's (src/web/store.ts), changed only through its actions.
 */
import { create } from 'zustand';
// The zip code (archive.ts, fflate's zip) and the gallery (gallery.ts) load at first use, not with the page.
import type { ImportInput } from './archive.ts';
import type { ExampleSet } from './gallery.ts';
import { note, occupy, replaceFiles, report, useStore } from './store.ts';
import { ENGINE_LABELS, type SourceFile } from './worker/protocol.ts';
import { plural } from '../core/plural.ts';

export type Dialog = 'examples' | 'reference' | null;

interface PendingReplace {
  files: SourceFile[];
  /** What is loaded, for the question and the log: `the example "Seed data"`. */
  what: string;
  /** Called once the files are loaded (a lesson opens then); not when the person keeps theirs. */
  loaded?: () => void;
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
  JSON.stringify(
    [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((f) => [f.name, f.text]),
  );

/** The files as the gallery or an import last loaded them: unchanged since, they can be replaced without asking. */
let loaded: string | null = null;

/**
 * A part of the page loaded at first use (the zip code, the gallery). If it cannot be loaded (the network went away
 * since the page loaded), the person is told, and null is answered.
 */
async function loadPart<T>(what: string, load: () => Promise<T>): Promise<T | null> {
  try {
    return await load();
  } catch (error) {
    const message = `${what} could not be loaded (${error instanceof Error ? error.message : String(error)}); reload the page and try again.`;
    report(message);
    return null;
  }
}

/** Whether the files hold work that replacing them would lose: anything but an untouched example set or import. */
async function hasOwnWork(files: SourceFile[] = useStore.getState().files): Promise<boolean> {
  if (files.length === 0 || keyOf(files) === loaded) return false;
  const gallery = await import('./gallery.ts').catch(() => null);
  return gallery === null || !gallery.isExampleSet(files); // unknown: ask first
}

/**
 * Replaces the files with `files`, asking first when the current ones hold the person's own work; `loaded` is called
 * once they are in.
 */
export async function offerFiles(files: SourceFile[], what: string, loaded?: () => void): Promise<void> {
  if (await hasOwnWork()) setLearning({ pending: { files, what, loaded } });
  else await load(files, what, loaded);
}

export function loadExample(set: ExampleSet): void {
  void offerFiles(
    set.files.map((f) => ({ ...f })),
    `the example "${set.title}"`,
  );
}

export function confirmReplace(): void {
  const pending = useLearning.getState().pending;
  if (pending) void load(pending.files, pending.what, pending.loaded);
}

export function cancelReplace(): void {
  setLearning({ pending: null });
}

/** Replaces the files without asking: for callers that have kept the files replaced (a lesson's work). */
export async function loadFiles(files: SourceFile[], what: string, done?: () => void): Promise<void> {
  await load(files, what, done);
}

async function load(files: SourceFile[], what: string, done?: () => void): Promise<void> {
  setLearning({ pending: null, dialog: null });
  loaded = keyOf(files);
  await replaceFiles(files, what);
  done?.();
}

// ---------------------------------------------------------------------------------------------------------------
// Downloads and the import

/** Hands `data` to the browser as a download named `fileName`. */
function saveFile(data: Uint8Array, fileName: string, mime: string): void {
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

const MIGRATIONS_ZIP = 'moonwalk-migrations.zip';

export async function downloadMigrations(): Promise<void> {
  const { files } = useStore.getState();
  if (files.length === 0) {
    report('There are no migrations to download. Add one with New migration, or load one from Examples.');
    return;
  }
  const archive = await loadPart('The zip code', () => import('./archive.ts'));
  if (!archive) return;
  saveFile(archive.zipMigrations(files), MIGRATIONS_ZIP, 'application/zip');
  note(
    'ok',
    `Downloaded ${MIGRATIONS_ZIP}: ${plural(files.length, 'file')} in a migrations/ folder. Unzip it and run: moonwalk up --db sqlite:app.db --dir migrations`,
  );
}

export async function downloadDatabase(): Promise<void> {
  const result = await occupy('Download database', { type: 'export' }, () => ({}));
  if (!result) return;
  saveFile(result.data, result.fileName, result.mime);
  const size =
    result.data.length >= 10_000
      ? `${Math.round(result.data.length / 1000).toLocaleString('en-US')} kB`
      : `${result.data.length} bytes`;
  note(
    'ok',
    result.engine === 'sqlite'
      ? `Downloaded ${result.fileName} (${size}): the SQLite database file, ledger included (moonwalk status --db sqlite:${result.fileName}).`
      : `Downloaded ${result.fileName} (${size}): a plain SQL dump of the ${ENGINE_LABELS[result.engine]} database (psql -f ${result.fileName} restores it).`,
  );
}

/** Reads what the person chose in the file picker and loads it (after asking, when their own work would go). */
export async function importFiles(chosen: File[]): Promise<void> {
  if (chosen.length === 0) return;
  let inputs: ImportInput[];
  try {
    inputs = await Promise.all(
      chosen.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })),
    );
  } catch (error) {
    const message = `Import failed: the file could not be read (${error instanceof Error ? error.message : String(error)}).`;
    report(message);
    return;
  }
  const archive = await loadPart('The zip code', () => import('./archive.ts'));
  if (!archive) return;
  const result = archive.readImport(inputs);
  if (!result.ok) {
    report(result.message);
    return;
  }
  const from = chosen.length === 1 ? chosen[0].name : `${chosen.length} files`;
  await offerFiles(result.files, `the migrations imported from ${from}`);
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
