/**
 * Lessons (DESIGN §7): the header's "Lessons" button, the list it opens (a dialog whose entries are named "1. …",
 * a ✓ beside each lesson passed), and the open lesson's panel under the file list: its task, "Check" with its verdict
 * in role="status" (what failed, in the person's terms, with "Go to line" where the line is known), hints on request,
 * and the way to the next lesson. State and actions: src/web/lessons/session.ts.
 */
import { useEffect } from 'react';
import { showLine, useStore } from '../store.ts';
import {
  checkLesson,
  closeLessonList,
  currentLesson,
  leaveLesson,
  openLessonList,
  restoreLesson,
  showHint,
  startLesson,
  useLessons,
} from '../lessons/session.ts';
import type { CheckOutcome, LessonVerdict } from '../lessons/types.ts';
import { Modal } from './Modal.tsx';
import '../lessons.css';

export function LessonsButton() {
  return (
    <button
      type="button"
      onClick={() => void openLessonList()}
      title="A short course: each lesson a task, and Check says whether your migration does it"
    >
      Lessons
    </button>
  );
}

export function LessonsDialog() {
  const open = useLessons((s) => s.listOpen);
  const course = useLessons((s) => s.course);
  const done = useLessons((s) => s.progress.done);
  const current = useLessons((s) => s.current);
  useEffect(() => void restoreLesson(), []);
  return (
    <Modal open={open} onClose={closeLessonList} titleId="lessons-title" className="lessons-dialog" title="Lessons">
      <p className="modal-intro">
        From creating a table to a reversible data migration. Each lesson loads its files on an empty SQLite database;
        write the migration, try it with Apply next, then press Check. Your progress stays in this browser.
      </p>
      <ol className="lesson-list">
        {(course ?? []).map((lesson, i) => {
          const passed = done.includes(lesson.id);
          return (
            <li key={lesson.id} className={lesson.id === current ? 'current' : undefined}>
              <button type="button" className="lesson-entry" onClick={() => void startLesson(lesson.id)}>
                {i + 1}. {lesson.title}
              </button>
              {passed && (
                <span className="lesson-done" title="Passed">
                  ✓<span className="sr-only"> passed</span>
                </span>
              )}
            </li>
          );
        })}
      </ol>
    </Modal>
  );
}

function Outcome({ check }: { check: CheckOutcome }) {
  return (
    <li className={check.ok ? 'ok' : 'bad'}>
      <span aria-hidden="true">{check.ok ? '✓' : '✗'}</span> {check.title}
      {check.problems.length > 0 && (
        <ul>
          {check.problems.map((p, i) => (
            <li key={i}>
              {p.message}
              {p.file !== undefined && p.line !== undefined && (
                <>
                  {' '}
                  <button type="button" className="link" onClick={() => showLine({ file: p.file!, line: p.line! })}>
                    Go to line {p.line}
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

function headline(verdict: LessonVerdict): string {
  const failed = verdict.checks.filter((c) => !c.ok);
  if (verdict.passed) return `✓ Passed: all ${verdict.checks.length} checks.`;
  return `Not yet: ${failed.length} of ${verdict.checks.length} checks failed.`;
}

export function LessonPanel() {
  const lesson = useLessons((s) => currentLesson(s));
  const number = useLessons((s) => (lesson ? (s.course ?? []).indexOf(lesson) + 1 : 0));
  const total = useLessons((s) => s.course?.length ?? 0);
  const next = useLessons((s) => (s.course && number < total ? s.course[number] : null));
  const hints = useLessons((s) => s.hints);
  const verdict = useLessons((s) => s.verdict);
  const checking = useStore((s) => s.busy === 'Check');
  const disabled = useStore((s) => s.busy !== null || s.engineState !== 'ready');
  if (!lesson) return null;
  return (
    <section className="lesson" aria-labelledby="lesson-title">
      <p className="lesson-count">
        Lesson {number} of {total}
      </p>
      <h2 id="lesson-title">{lesson.title}</h2>
      {lesson.task.map((p, i) => (
        <p key={i} className="lesson-task">
          {p}
        </p>
      ))}
      <div className="lesson-actions">
        <button type="button" className="small primary" disabled={disabled} onClick={() => void checkLesson()}>
          Check
        </button>
        <button type="button" className="small" disabled={hints >= lesson.hints.length} onClick={showHint}>
          {hints === 0 ? 'Show a hint' : 'Another hint'}
        </button>
      </div>
      {hints > 0 && (
        <ol className="lesson-hints" aria-label="Hints">
          {lesson.hints.slice(0, hints).map((h, i) => (
            <li key={i}>{h}</li>
          ))}
        </ol>
      )}
      <div role="status" className={`lesson-verdict${verdict ? (verdict.passed ? ' passed' : ' failed') : ''}`}>
        {checking && <p>Checking…</p>}
        {verdict && (
          <>
            <p className="lesson-headline">{headline(verdict)}</p>
            <ul className="lesson-checks">
              {/* The failed checks first: they are what the person reads. */}
              {[...verdict.checks.filter((c) => !c.ok), ...verdict.checks.filter((c) => c.ok)].map((c) => (
                <Outcome key={c.title} check={c} />
              ))}
            </ul>
          </>
        )}
      </div>
      <div className="lesson-nav">
        {verdict?.passed && next && (
          <button type="button" className="small primary" onClick={() => void startLesson(next.id)}>
            Next lesson
          </button>
        )}
        <button type="button" className="small" onClick={() => void openLessonList()}>
          All lessons
        </button>
        <button type="button" className="small quiet" onClick={() => void startLesson(lesson.id, true)}>
          Start over
        </button>
        <button type="button" className="small quiet" onClick={leaveLesson}>
          Leave lesson
        </button>
      </div>
    </section>
  );
}
