/**
 * Compare engines: the worker runs every file on a fresh SQLite and a fresh PostgreSQL database
 * (src/web/worker/compare.ts); the person's databases, files and engine stay as they are. The run occupies the
 * worker like Verify does (so Stop ends it), and its summary goes to the log.
 */
import { plural } from '../../core/plural.ts';
import { ENGINE_LABELS } from '../worker/protocol.ts';
import type { Ctx } from './context.ts';
import { withLog, type NewLogEntry } from './log.ts';
import { chain, occupy, sources } from './runs.ts';
import { idle } from './state.ts';

export const COMPARE_LABEL = 'Compare engines';

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
      const summary = !report.compared
        ? 'the schemas could not be compared'
        : report.findings.length === 0
          ? 'the same schema on SQLite and PostgreSQL'
          : `${plural(report.findings.length, 'difference')} between SQLite and PostgreSQL`;
      return chain(
        state,
        (s) => ({ compare: { ...s.compare, phase: 'done', loadingPostgres: false, report } }),
        (s) =>
          withLog(s, ...problems, {
            kind: !report.compared ? 'error' : report.findings.length === 0 ? 'ok' : 'warn',
            text: `${COMPARE_LABEL}: ${summary}`,
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
