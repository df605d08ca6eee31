/**
 * Compare engines: the dialog's own small state and its actions. The worker runs every file on a fresh SQLite and a
 * fresh PostgreSQL database (src/web/worker/compare.ts); the person's databases, files and engine stay as they are.
 * The run occupies the worker like Verify does (so Stop ends it), and its summary goes to the log.
 */
import { create } from 'zustand';
import { engineWatchers, log, occupy, useStore } from './store.ts';
import { ENGINE_LABELS, type CompareReport } from './worker/protocol.ts';
import { plural } from '../core/plural.ts';

export const COMPARE_LABEL = 'Compare engines';

export interface CompareState {
  open: boolean;
  /** `running` until the worker answers; `ended` when it did not (stopped, or the worker failed: see the log). */
  phase: 'idle' | 'running' | 'done' | 'ended';
  /** PostgreSQL's files are being fetched for this run (the first time PGlite is used in the page). */
  loadingPostgres: boolean;
  report: CompareReport | null;
}

export const useCompare = create<CompareState>()(() => ({
  open: false,
  phase: 'idle',
  loadingPostgres: false,
  report: null,
}));

const setCompare = useCompare.setState;

engineWatchers.add((engine, state) => {
  if (engine === 'postgres' && useCompare.getState().phase === 'running')
    setCompare({ loadingPostgres: state === 'loading' });
});

export async function compareEngines(): Promise<void> {
  const { busy, engineState, files } = useStore.getState();
  if (busy !== null || engineState !== 'ready') return;
  setCompare({ open: true, phase: 'running', loadingPostgres: false, report: null });
  const result = await occupy(COMPARE_LABEL, {
    type: 'compare',
    files: files.map((f) => ({ name: f.name, text: f.text })),
  });
  if (!result || result.kind !== 'compare') {
    setCompare({ phase: 'ended', loadingPostgres: false });
    return;
  }
  const { report } = result;
  setCompare({ phase: 'done', loadingPostgres: false, report });
  for (const side of report.sides) {
    const problem = side.error ?? side.run?.error?.message;
    if (problem) log({ kind: 'error', text: `${COMPARE_LABEL}: on ${ENGINE_LABELS[side.engine]}, ${problem}` });
  }
  const summary = !report.compared
    ? 'the schemas could not be compared'
    : report.findings.length === 0
      ? 'the same schema on SQLite and PostgreSQL'
      : `${plural(report.findings.length, 'difference')} between SQLite and PostgreSQL`;
  log({
    kind: !report.compared ? 'error' : report.findings.length === 0 ? 'ok' : 'warn',
    text: `${COMPARE_LABEL}: ${summary}`,
    ...(report.findings.length > 0
      ? { detail: report.findings.map((f) => `${f.path.join('.')}: ${f.explanation}`).join('\n') }
      : {}),
    durationMs: report.durationMs,
  });
}

export function closeCompare(): void {
  setCompare({ open: false });
}
