/**
 * Lessons (DESIGN §7 "Lessons", "Check"): what a lesson is, as data. What Check answers is in verdict.ts (the worker
 * protocol's, so it imports nothing).
 */
import type { EngineId, SourceFile } from '../worker/protocol.ts';

export type { CheckOutcome, LessonProblem, LessonVerdict } from './verdict.ts';

/**
 * A check of the lesson's own, beside the ones every lesson has (lint, the run, the schema, verify). Data, read by
 * check.ts.
 */
export type LessonCheck =
  /** After `up`, `sql` answers the same rows on the person's database as on the lesson's answer (order kept). */
  | { kind: 'same-rows'; title: string; sql: string }
  /**
   * Values reach the SQL as parameters (`?` with a parameter table, or `db:prepare`), never spliced into it with `..`
   * or string.format.
   */
  | { kind: 'parameters'; file: string }
  /** `file`'s Lua calls each of `calls` (`db:savepoint`, …): the lesson is about using them. */
  | { kind: 'calls'; title: string; file: string; calls: string[] }
  /** `file` has a `database("<engine>", …)` block with an up and a down for each of `engines`. */
  | { kind: 'engine-blocks'; file: string; engines: EngineId[] };

export interface Lesson {
  /** Stable: progress is kept by it. */
  id: string;
  title: string;
  /** The task, a paragraph per entry. */
  task: string[];
  /** The file the person writes in (the others are given); problems without a better place point at it. */
  file: string;
  /** The starting workspace. */
  files: SourceFile[];
  /** An answer that passes every check: the expected schema (and rows) are what it leaves after `up`. */
  answer: SourceFile[];
  /** Shown one at a time, on request. */
  hints: string[];
  /** The engines the checks run on (SQLite when not given). */
  engines?: EngineId[];
  checks?: LessonCheck[];
}
