/**
 * The lessons in the page: which one is open, its hints shown, its last verdict, and the course's progress (kept in
 * the browser by progress.ts). The files and the database stay the playground store's: a lesson loads its files
 * through learning.ts (asking first when the person's own work would go), and Check is a worker request like Verify.
 * The course's text (lessons.ts) loads when the Lessons list first opens, not with the page.
 */
import { create } from 'zustand';
import { loadFiles, offerFiles, setTourStep } from '../learning.ts';
import { note, occupy, selectFile, switchEngine, useStore } from '../store.ts';
import type { SourceFile } from '../worker/protocol.ts';
import { loadProgress, saveProgress, type CourseProgress } from './progress.ts';
import type { Lesson, LessonVerdict } from './types.ts';

export interface LessonSession {
  listOpen: boolean;
  /** The lessons, once loaded. */
  course: readonly Lesson[] | null;
  progress: CourseProgress;
  /** The open lesson's id. */
  current: string | null;
  /** How many of its hints are shown. */
  hints: number;
  verdict: LessonVerdict | null;
}

export const useLessons = create<LessonSession>()(() => ({
  listOpen: false,
  course: null,
  progress: loadProgress(),
  current: null,
  hints: 0,
  verdict: null,
}));

const set = useLessons.setState;
const get = useLessons.getState;

/** The lesson the first-visit tour guides (it waits for Apply next there). */
export const FIRST_LESSON = 'create-table';

async function course(): Promise<readonly Lesson[]> {
  const loaded = get().course;
  if (loaded) return loaded;
  const { LESSONS } = await import('./lessons.ts');
  set({ course: LESSONS });
  return LESSONS;
}

export function currentLesson(state: LessonSession = get()): Lesson | null {
  return state.course?.find((l) => l.id === state.current) ?? null;
}

function keep(change: Partial<CourseProgress>): void {
  const progress = { ...get().progress, ...change };
  set({ progress });
  if (!saveProgress(progress))
    note('warn', 'The browser refused to keep your lesson progress (local storage full or disabled).');
}

const filesNow = (): SourceFile[] => useStore.getState().files.map((f) => ({ name: f.name, text: f.text }));

/** The open lesson's files as they are now, kept under its id. */
function keepWork(): void {
  const { current } = get();
  if (current) keep({ work: { ...get().progress.work, [current]: filesNow() } });
}

export async function openLessonList(): Promise<void> {
  await course();
  set({ listOpen: true });
}

export function closeLessonList(): void {
  set({ listOpen: false });
}

/** Opens lesson `id` with its files as the person left them (or its starting files). */
export async function startLesson(id: string, fresh = false): Promise<void> {
  const lesson = (await course()).find((l) => l.id === id);
  if (!lesson) return;
  const inLesson = get().current !== null;
  keepWork();
  const files = (!fresh && get().progress.work[id]) || lesson.files;
  const number = (get().course ?? []).indexOf(lesson) + 1;
  const opened = () => {
    set({ current: id, hints: 0, verdict: null, listOpen: false });
    keep({ current: id });
    selectFile(lesson.file);
    if (useStore.getState().engine !== 'sqlite') void switchEngine('sqlite');
    if (id === FIRST_LESSON) setTourStep(0); // the tour is the first lesson's guide
  };
  const what = `lesson ${number}, "${lesson.title}"`;
  set({ listOpen: false });
  // Another lesson's files are kept (keepWork): they go without asking. The person's own work is asked about.
  if (inLesson && !fresh)
    await loadFiles(
      files.map((f) => ({ ...f })),
      what,
      opened,
    );
  else
    await offerFiles(
      files.map((f) => ({ ...f })),
      what,
      opened,
    );
}

export function leaveLesson(): void {
  keepWork();
  set({ current: null, verdict: null, hints: 0 });
  keep({ current: null });
  setTourStep(null);
}

export function showHint(): void {
  const lesson = currentLesson();
  if (lesson) set({ hints: Math.min(get().hints + 1, lesson.hints.length) });
}

/** The open lesson's checks on the files as they are now; the verdict is shown, a pass remembered. */
export async function checkLesson(): Promise<void> {
  const lesson = currentLesson();
  if (!lesson) return;
  keepWork();
  set({ verdict: null });
  const result = await occupy('Check', { type: 'check', lesson: lesson.id, files: filesNow() }, () => ({}));
  if (!result || get().current !== lesson.id) return;
  const { verdict } = result;
  set({ verdict });
  const failed = verdict.checks.filter((c) => !c.ok);
  if (verdict.passed) {
    if (!get().progress.done.includes(lesson.id)) keep({ done: [...get().progress.done, lesson.id] });
    note('ok', `Check: lesson "${lesson.title}" passed (${verdict.checks.length} checks).`);
  } else {
    note('warn', `Check: lesson "${lesson.title}" not passed yet: ${failed.map((c) => c.title).join('; ')}.`);
  }
}

/** After a reload: the lesson that was open is open again (its files are the playground's saved ones). */
export async function restoreLesson(): Promise<void> {
  const { current } = get().progress;
  if (!current || useStore.getState().workspace !== 'own') return;
  const lesson = (await course()).find((l) => l.id === current);
  if (lesson && useStore.getState().files.some((f) => f.name === lesson.file)) set({ current });
  else keep({ current: null });
}

// The lesson closes when its file is gone (other files were loaded: an example, an import, a share link).
useStore.subscribe((state, previous) => {
  const lesson = currentLesson();
  if (!lesson || state.files === previous.files) return;
  if (!state.files.some((f) => f.name === lesson.file) || state.workspace !== 'own') {
    set({ current: null, verdict: null, hints: 0 });
    keep({ current: null });
  }
});
