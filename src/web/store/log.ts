/** The log and the alert: what every action tells the person, as changes to the state. */
import { describeRunError, type RunError } from '../../core/results.ts';
import { clockOf } from '../format.ts';
import type { LogEntry, PlaygroundState, SourceLink } from './state.ts';

const MAX_LOG = 400;

/** Said whenever a share link's files are shown. */
export const OWN_FILES_KEPT =
  'Your own files are kept apart: the address without the # part (or "My files") shows them again.';

export type NewLogEntry = Omit<LogEntry, 'id' | 'time'>;

/** The log with `entries` added (the oldest dropped beyond MAX_LOG). */
export function withLog(
  state: Pick<PlaygroundState, 'log' | 'lastLogId'>,
  ...entries: NewLogEntry[]
): Pick<PlaygroundState, 'log' | 'lastLogId'> {
  if (entries.length === 0) return { log: state.log, lastLogId: state.lastLogId };
  const time = clockOf(new Date());
  let id = state.lastLogId;
  const next = [...state.log, ...entries.map((entry) => ({ ...entry, id: ++id, time }))];
  return { log: next.length > MAX_LOG ? next.slice(next.length - MAX_LOG) : next, lastLogId: id };
}

/** Where an error points in the files, if it says. */
export function linkOf(error: RunError): SourceLink | undefined {
  if (error.line === undefined) return undefined;
  const file = error.file ?? (error.migration ? `${error.migration}.lua` : undefined);
  return file ? { file, line: error.line } : undefined;
}

/** A run error shown: logged, in the alert (with "Go to line"), and marked in the editor. */
export function withError(
  state: Pick<PlaygroundState, 'log' | 'lastLogId' | 'markers'>,
  error: RunError,
  context: string,
): Pick<PlaygroundState, 'log' | 'lastLogId' | 'markers' | 'alert'> {
  const link = linkOf(error);
  const [first, ...rest] = describeRunError(error).split('\n');
  const markers = link
    ? {
        ...state.markers,
        [link.file]: [...(state.markers[link.file] ?? []), { line: link.line, message: error.message }],
      }
    : state.markers;
  return {
    ...withLog(state, {
      kind: 'error',
      text: `${context}: ${first}`,
      ...(rest.length ? { detail: rest.join('\n') } : {}),
      ...(link ? { link } : {}),
    }),
    alert: { message: `${context} failed — ${first}`, ...(link ? { link } : {}) },
    markers,
  };
}

/** A problem that is not a run's: in the alert and the log. */
export function withProblem(
  state: Pick<PlaygroundState, 'log' | 'lastLogId'>,
  message: string,
): Pick<PlaygroundState, 'log' | 'lastLogId' | 'alert'> {
  return { ...withLog(state, { kind: 'error', text: message }), alert: { message } };
}
