/**
 * What a lesson's Check answers (check.ts), sent from the worker to the page: plain data, no imports (the worker
 * protocol names it).
 */

/** Something wrong, in the person's terms, and where when it is known. */
export interface LessonProblem {
  message: string;
  file?: string;
  line?: number;
}

export interface CheckOutcome {
  /** "Lint", "Your migrations run", "The schema after up", "Verify", or a lesson check's title. */
  title: string;
  ok: boolean;
  problems: LessonProblem[];
}

export interface LessonVerdict {
  lesson: string;
  passed: boolean;
  checks: CheckOutcome[];
}
