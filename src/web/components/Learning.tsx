/**
 * The "Learning" and "Sharing and keeping" controls: Examples (a gallery dialog), Reference (the DSL at hand),
 * Tour (a short guided tour, shown once to first-time visitors), and the "Save and load" menu (Download migrations,
 * Import migrations, Download database). Their state and actions are in src/web/learning.ts.
 *
 * The tour never blocks the page: its card sits in the lower left corner, over the empty end of the file list, and
 * the ring around what it points at lets clicks through.
 */
import { lazy, Suspense, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import {
  cancelReplace,
  confirmReplace,
  downloadDatabase,
  downloadMigrations,
  importFiles,
  openDialog,
  setTourStep,
  startTour,
  tourSeen,
  useLearning,
  type Dialog,
} from '../learning.ts';
import { useStore } from '../store.ts';
import { FIRST_LESSON, startLesson, useLessons } from '../lessons/session.ts';
import { LessonsButton, LessonsDialog } from './Lessons.tsx';
import { Modal } from './Modal.tsx';
import { OwnDatabaseMenuItems } from './OwnDatabase.tsx';
import { plural } from '../../core/plural.ts';
import '../learning.css';

// ---------------------------------------------------------------------------------------------------------------
// The header's buttons

export function LearningTools() {
  return (
    <div className="learning-tools">
      <button
        type="button"
        onClick={() => openDialog('examples')}
        title="Example migrations for each pattern of the migration guide"
      >
        Examples
      </button>
      <button
        type="button"
        onClick={() => openDialog('reference')}
        title="db:query, db:execute, db:prepare, up, down, after, … (also on hover in the editor)"
      >
        Reference
      </button>
      <button
        type="button"
        title="A short tour of the playground"
        onClick={() => {
          startTour();
          requestAnimationFrame(() => document.querySelector<HTMLElement>('.tour-card')?.focus());
        }}
      >
        Tour
      </button>
      <LessonsButton />
      <SaveLoadMenu />
    </div>
  );
}

function SaveLoadMenu() {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const busy = useStore((s) => s.busy);
  const ready = useStore((s) => s.engineState === 'ready');
  const engine = useStore((s) => s.engine);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (!box.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  /** Closes the menu and runs the action; an async one reports its own failures. */
  const choose = (action: () => void | Promise<void>) => () => {
    setOpen(false);
    void action();
  };

  return (
    <div className="menu" ref={box}>
      <button
        type="button"
        aria-expanded={open}
        aria-controls="save-load-menu"
        onClick={() => setOpen(!open)}
        title="Download the migrations or the database, import migrations"
      >
        Save and load{' '}
        <span aria-hidden="true" className="caret">
          ▾
        </span>
      </button>
      {open && (
        <div id="save-load-menu" className="menu-panel" role="group" aria-label="Save and load">
          <button type="button" onClick={choose(downloadMigrations)}>
            Download migrations
          </button>
          <p className="menu-hint">
            A zip with a <code>migrations/</code> folder: <code>moonwalk up --dir migrations</code> runs it.
          </p>
          <button type="button" onClick={choose(() => input.current?.click())}>
            Import migrations
          </button>
          <p className="menu-hint">Such a zip, or .lua files. They replace the files here.</p>
          <button type="button" disabled={busy !== null || !ready} onClick={choose(() => void downloadDatabase())}>
            Download database
          </button>
          <p className="menu-hint">
            {engine === 'sqlite' ? 'The SQLite database file.' : 'A plain SQL dump of the PostgreSQL database.'}
          </p>
          <OwnDatabaseMenuItems choose={choose} />
        </div>
      )}
      <input
        ref={input}
        type="file"
        accept=".zip,.lua,application/zip"
        multiple
        hidden
        aria-label="Migration files to import"
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          void importFiles(files);
        }}
      />
    </div>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Dialogs

// The Examples and Reference dialogs (components/LearningDialogs.tsx) hold the gallery's and the reference's text:
// their chunk loads when one of them is first opened, not with the page.
const ExamplesDialog = lazy(() => import('./LearningDialogs.tsx').then((m) => ({ default: m.ExamplesDialog })));
const ReferenceDialog = lazy(() => import('./LearningDialogs.tsx').then((m) => ({ default: m.ReferenceDialog })));

/** Mounts `children` from the first time `dialog` opens on (so that it can close itself again). */
function OnceOpened({ dialog, children }: { dialog: Dialog; children: ReactNode }) {
  const open = useLearning((s) => s.dialog === dialog);
  const [opened, setOpened] = useState(false);
  if (open && !opened) setOpened(true);
  return opened ? <Suspense fallback={null}>{children}</Suspense> : null;
}

function ReplaceDialog() {
  const pending = useLearning((s) => s.pending);
  const count = useStore((s) => s.files.length);
  return (
    <Modal open={pending !== null} onClose={cancelReplace} titleId="replace-title" className="replace-dialog">
      <h2 id="replace-title">Replace your files?</h2>
      <p>
        Loading {pending?.what} replaces your {plural(count, 'file')}, and your changes to them are lost (download them
        first with Save and load → Download migrations to keep them). The database starts empty.
      </p>
      <div className="modal-actions">
        <button type="button" className="primary" onClick={confirmReplace}>
          Replace files
        </button>
        <button type="button" onClick={cancelReplace} data-autofocus>
          Keep my files
        </button>
      </div>
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The tour

interface TourStep {
  title: string;
  text: string;
  target: () => Element[];
  /** Waits for the person to apply a migration (Apply next) before it goes on by itself. */
  waitsForApply?: boolean;
}

const byText = (selector: string, text: string): Element[] =>
  [...document.querySelectorAll(selector)].filter((e) => e.textContent?.trim() === text).slice(0, 1);

const TOUR: TourStep[] = [
  {
    title: 'Your migrations',
    text: 'On the left: the files, in the order the runner uses, each with its state. New migration adds one; Examples loads a set for each pattern of the guide.',
    target: () => [...document.querySelectorAll('nav.files')],
  },
  {
    title: 'The editor',
    text: 'In the middle: the selected file. Rest the pointer on up, down, db:query, db:execute… to see what they do; lint findings show as you type.',
    target: () => [...document.querySelectorAll('.editor-panel')],
  },
  {
    title: 'Apply next',
    text: 'Runs the first pending migration (Ctrl+Enter in the editor). Revert last undoes it; Verify checks that each down undoes its up. Press Apply next now.',
    target: () => byText('.toolbar button', 'Apply next'),
    waitsForApply: true,
  },
  {
    title: 'Schema and Diff',
    text: 'On the right: the tables of the database now, and what the last step changed.',
    target: () => [...document.querySelectorAll('.panel.schema, .panel.diff')],
  },
  {
    title: 'Share and keep',
    text: 'Share puts the files in a link. Save and load downloads them as a zip for moonwalk up --dir migrations, or the database.',
    target: () => [
      ...byText('.topbar button', 'Share'),
      ...document.querySelectorAll('.learning-tools .menu > button'),
    ],
  },
];

/**
 * In the first lesson the tour is its guide: the same steps, in the lesson's words, ending at Check instead of Share.
 */
const LESSON_GUIDE: Record<string, Partial<TourStep>> = {
  'Your migrations': {
    text: 'On the left: the lesson’s file, and under it the task. Each lesson starts on an empty SQLite database.',
  },
  'The editor': {
    text: 'Write the migration here: the CREATE TABLE in up, the DROP TABLE in down. Rest the pointer on db:execute to see what it does.',
  },
  'Apply next': {
    text: 'Runs your migration’s up on the database (Ctrl+Enter in the editor). Press Apply next now: the guide goes on once it has run.',
  },
  'Schema and Diff': {
    text: 'Your table, as the database has it now, and what the step changed. Not right? Revert last, edit, Apply next again.',
  },
  'Share and keep': {
    title: 'Check',
    text: 'Check runs your migration on a fresh database and says what is missing or wrong, with the line. Hints are under it.',
    target: () => byText('.lesson button', 'Check'),
  },
};

/** The applied migrations now: the Apply next step goes on when their number grows. */
const appliedCount = (s: { status: { status: string }[] }) => s.status.filter((e) => e.status === 'applied').length;

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

function boxOf(elements: Element[]): Box | null {
  const rects = elements.map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0 || r.height > 0);
  if (rects.length === 0) return null;
  const left = Math.min(...rects.map((r) => r.left));
  const top = Math.min(...rects.map((r) => r.top));
  const right = Math.max(...rects.map((r) => r.right));
  const bottom = Math.max(...rects.map((r) => r.bottom));
  return { left: left - 4, top: top - 4, width: right - left + 8, height: bottom - top + 8 };
}

function Tour() {
  const step = useLearning((s) => s.tourStep);
  const [box, setBox] = useState<Box | null>(null);
  const card = useRef<HTMLDivElement>(null);
  const inLesson = useLessons((s) => s.current === FIRST_LESSON);
  const besideLesson = useLessons((s) => s.current !== null);
  const base = step !== null ? TOUR[step] : undefined;
  const current = base && inLesson ? { ...base, ...LESSON_GUIDE[base.title] } : base;
  const applied = useStore(appliedCount);
  const pending = useStore((s) => s.files.length > appliedCount(s));
  // The Apply next step waits for a migration to be applied while it shows, then goes on by itself.
  // Keyed by the step, so that the count taken at this step never moves the next one on too.
  const [waitFrom, setWaitFrom] = useState<{ step: number; applied: number } | null>(null);
  const waiting = current?.waitsForApply === true && pending;
  useEffect(() => {
    setWaitFrom(step !== null && current?.waitsForApply ? { step, applied: appliedCount(useStore.getState()) } : null);
  }, [current?.waitsForApply, step]);
  useEffect(() => {
    if (step !== null && waitFrom?.step === step && applied > waitFrom.applied) setTourStep(step + 1);
  }, [applied, waitFrom, step]);

  useLayoutEffect(() => {
    if (!current) return;
    const measure = () => setBox(boxOf(current.target()));
    measure();
    addEventListener('resize', measure);
    const timer = setInterval(measure, 500); // the layout may still settle (fonts, the file list)
    return () => {
      removeEventListener('resize', measure);
      clearInterval(timer);
    };
  }, [current?.title, inLesson]); // measured again per step (`current` is a new object each render)

  if (!current || step === null) return null;
  const last = step === TOUR.length - 1;
  return (
    <>
      {box && <div className="tour-ring" aria-hidden="true" style={box} />}
      <div
        ref={card}
        className={`tour-card${besideLesson ? ' beside-lesson' : ''}`}
        role="dialog"
        aria-modal="false"
        aria-labelledby="tour-title"
        aria-describedby="tour-text"
        tabIndex={-1}
        onKeyDown={(e) => {
          if (e.key === 'Escape') setTourStep(null);
        }}
      >
        <p className="tour-count">
          {inLesson ? 'Lesson 1 guide' : 'Tour'} · {step + 1} of {TOUR.length}
        </p>
        <h2 id="tour-title">{current.title}</h2>
        <p id="tour-text">{current.text}</p>
        <div className="tour-actions">
          <button type="button" className="small quiet" onClick={() => setTourStep(null)}>
            Close tour
          </button>
          <span className="spacer" />
          {step > 0 && (
            <button type="button" className="small" onClick={() => setTourStep(step - 1)}>
              Back
            </button>
          )}
          {waiting ? (
            <span className="tour-waiting">Waiting for Apply next…</span>
          ) : (
            <button type="button" className="small primary" onClick={() => setTourStep(last ? null : step + 1)}>
              {last ? 'Done' : 'Next'}
            </button>
          )}
        </div>
        {last && !inLesson && (
          <p className="tour-more">
            Learn by doing:{' '}
            <button type="button" className="small" onClick={() => void startLesson(FIRST_LESSON)}>
              Start lesson 1
            </button>
          </p>
        )}
      </div>
    </>
  );
}

/** The dialogs and the tour; shows the tour by itself on a first visit. */
export function LearningLayer() {
  useEffect(() => {
    if (!tourSeen()) startTour();
  }, []);
  return (
    <>
      <OnceOpened dialog="examples">
        <ExamplesDialog />
      </OnceOpened>
      <OnceOpened dialog="reference">
        <ReferenceDialog />
      </OnceOpened>
      <ReplaceDialog />
      <LessonsDialog />
      <Tour />
    </>
  );
}
