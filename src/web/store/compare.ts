/**
 * Compare engines: the worker runs every file on a fresh SQLite and a fresh PostgreSQL database
 * (src/web/worker/compare.ts); the person's databases, files and engine stay as they are. The run occupies the
 * worker like Verify does (so Stop ends it), and its summary goes to the log.
 */
import { plural } from '../../core/plural.ts';
import { ENGINE_LABELS, type CompareReport } from '../worker/protocol.ts';
import type { Ctx } from './context.ts';
import { withLog, type NewLogEntry } from './log.ts';
import { chain, occupy, sources } from './runs.ts';
import { idle } from './state.ts';

export const COMPARE_LABEL = 'Compare engines';

/**
 * What a comparison found, said first: a run that failed on either engine comes before any verdict on the schemas
 * (two failed runs can leave "the same" empty schema, which is no sign that the files agree).
 */
export function compareVerdict(report: CompareReport): { tone: 'same' | 'differ' | 'bad'; text: string } {
  // The person's starting database that one engine cannot hold: why, in its own words.
  const unstarted = report.startsFrom !== null ? report.sides.find((s) => s.run === null && s.error !== null) : null;
  if (unstarted) return { tone: 'bad', text: `Could not compare: ${unstarted.error}` };
  const failed = report.sides.filter((s) => s.run === null || !s.run.ok || s.error !== null);
  if (failed.length > 0)
    return {
      tone: 'bad',
      text: `Could not compare: the run failed on ${failed.map((s) => ENGINE_LABELS[s.engine]).join(' and ')}`,
    };
  if (!report.compared) return { tone: 'bad', text: 'Could not compare: the schemas could not be read' };
  if (report.findings.length === 0) return { tone: 'same', text: 'Same schema on both engines' };
  return { tone: 'differ', text: `${plural(report.findings.length, 'difference')} between SQLite and PostgreSQL` };
}

export async function compareEngines(ctx: Ctx): Promise<void> {
  if (!idle(ctx.get())) return;
  const result = await occupy(
    ctx,
    COMPARE_LABEL,
    { type: 'compare', files: sources(ctx.get()) },
    (state, { report }) => {
      const problems: NewLogEntry[] = [];
      for (const side of report.sides) {
        const problem = side.error ?? side.run?.error?.message;
        if (problem)
          problems.push({ kind: 'error', text: `${COMPARE_LABEL}: on ${ENGINE_LABELS[side.engine]}, ${problem}` });
      }
      const verdict = compareVerdict(report);
      return chain(
        state,
        (s) => ({ compare: { ...s.compare, phase: 'done', loadingPostgres: false, report } }),
        (s) =>
          withLog(s, ...problems, {
            kind: verdict.tone === 'bad' ? 'error' : verdict.tone === 'same' ? 'ok' : 'warn',
            text: `${COMPARE_LABEL}: ${verdict.text}`,
            ...(report.findings.length > 0
              ? { detail: report.findings.map((f) => `${f.path.join('.')}: ${f.explanation}`).join('\n') }
              : {}),
            durationMs: report.durationMs,
          }),
      );
    },
    { compare: { open: true, phase: 'running', loadingPostgres: false, report: null } },
  );
  if (!result) ctx.update((s) => ({ compare: { ...s.compare, phase: 'ended', loadingPostgres: false } }));
}

export function closeCompare(ctx: Ctx): void {
  ctx.update((s) => ({ compare: { ...s.compare, open: false } }));
}
