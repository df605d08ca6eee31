/**
 * What the browser keeps of the course (local storage): the lessons passed, the lesson open, and each lesson's files
 * as the person left them (so that going to another lesson and back loses nothing).
 */
import type { SourceFile } from '../worker/protocol.ts';

const KEY = 'moonwalk.lessons.v1';

export interface CourseProgress {
  done: string[];
  /** The lesson open now, or null. */
  current: string | null;
  /** Each lesson's files as the person last had them. */
  work: Record<string, SourceFile[]>;
}

const EMPTY: CourseProgress = { done: [], current: null, work: {} };

const isFile = (f: unknown): f is SourceFile =>
  typeof f === 'object' &&
  f !== null &&
  typeof (f as SourceFile).name === 'string' &&
  typeof (f as SourceFile).text === 'string';

/** The kept progress; what cannot be read (another version, a hand edit) counts as none. */
export function loadProgress(): CourseProgress {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    if (typeof raw !== 'object' || raw === null) return EMPTY;
    const { done, current, work } = raw as Partial<CourseProgress>;
    const files = Object.entries(typeof work === 'object' && work !== null ? work : {}).filter(
      ([, list]) => Array.isArray(list) && list.every(isFile),
    );
    return {
      done: Array.isArray(done) ? done.filter((d): d is string => typeof d === 'string') : [],
      current: typeof current === 'string' ? current : null,
      work: Object.fromEntries(files),
    };
  } catch {
    return EMPTY;
  }
}

/** Keeps `progress`; false when the browser refuses (storage full or disabled). */
export function saveProgress(progress: CourseProgress): boolean {
  try {
    localStorage.setItem(KEY, JSON.stringify(progress));
    return true;
  } catch {
    return false;
  }
}
