/**
 * The Timeline tab: the current database's ledger (`_migrations`) in the order its migrations were applied, then
 * this session's steps on that database. Oldest at the top, newest at the bottom, like the log. Every state is a
 * sign and a word, never a colour alone; a step that changed the schema shows its diff in the Diff panel again.
 */
import { useEffect, useLayoutEffect, useRef } from 'react';
import { formatMs } from '../format.ts';
import { RESULT_WORDS, showDiff, useStore } from '../store.ts';
import { ledgerView, timeOfDay, type LedgerRow, type StepKind, type TimelineStep } from '../timeline.ts';
import { ENGINE_LABELS } from '../worker/protocol.ts';
import type { TraceMigration } from '../../core/trace.ts';

const ROW_STATE: Record<LedgerRow['state'], { sign: string; words: string }> = {
  applied: { sign: '✓', words: 'applied' },
  modified: { sign: '✎', words: 'modified since applied' },
  missing: { sign: '✗', words: 'file missing' },
};

const STEP_KIND: Record<StepKind, { sign: string; words: string }> = {
  applied: { sign: '↑', words: 'applied' },
  reverted: { sign: '↓', words: 'reverted' },
  redo: { sign: '↻', words: 'redone' },
  failed: { sign: '✗', words: 'failed' },
  reset: { sign: '∅', words: 'emptied' },
  stopped: { sign: '■', words: 'stopped' },
  sql: { sign: '›', words: 'changed by SQL' },
};

function LedgerEntry({ row }: { row: LedgerRow }) {
  const state = ROW_STATE[row.state];
  return (
    <li className={`tl-item tl-${row.state}`}>
      <span className="tl-sign" aria-hidden="true">
        {state.sign}
      </span>
      <div className="tl-body">
        <div className="tl-line">
          <span className="tl-id">{row.id}</span> <span className="tl-state">{state.words}</span>
        </div>
        <div className="tl-meta">
          {row.description && <span>{row.description}</span>}
          {row.appliedAt && (
            <span>
              at <time dateTime={row.appliedAt}>{timeOfDay(row.appliedAt)}</time>
            </span>
          )}
          {row.durationMs !== undefined && <span>{formatMs(row.durationMs)}</span>}
        </div>
      </div>
    </li>
  );
}

function StepEntry({ step, shown }: { step: TimelineStep; shown: boolean }) {
  const kind = STEP_KIND[step.kind];
  return (
    <li className={`tl-item tl-step-${step.kind}${shown ? ' tl-shown' : ''}`}>
      <span className="tl-sign" aria-hidden="true">
        {kind.sign}
      </span>
      <div className="tl-body">
        <div className="tl-line">
          <time className="tl-time">{step.time}</time> <span className="tl-label">{step.label}</span>{' '}
          <span className="tl-state">{kind.words}</span>
          {step.durationMs !== undefined && <span className="tl-duration"> {formatMs(step.durationMs)}</span>}
        </div>
        {step.results.length > 0 && (
          <ul className="tl-results">
            {step.results.map((r, i) => (
              <li key={i}>
                {r.direction === 'up' ? '↑' : '↓'} {r.id} {RESULT_WORDS[r.status]}{' '}
                <span className="tl-duration">{formatMs(r.duration_ms)}</span>
              </li>
            ))}
          </ul>
        )}
        {step.note && <div className="tl-note">{step.note}</div>}
        {step.diff !== null && (
          <button
            type="button"
            className="link tl-diff-button"
            aria-pressed={shown}
            aria-label={`Show diff of step ${step.n}`}
            onClick={() => showDiff(`${step.label} on ${ENGINE_LABELS[step.engine]} at ${step.time}`, step.diff!)}
          >
            Show diff
          </button>
        )}
        {shown && <span className="tl-shown-note"> shown in the Diff panel</span>}
        {step.trace && <StepTrace trace={step.trace} />}
      </div>
    </li>
  );
}

/** The locks and rewrites of each migration a PostgreSQL step applied, as `moonwalk trace` reports them. */
function StepTrace({ trace }: { trace: TraceMigration[] }) {
  const dangers = trace.reduce((n, m) => n + m.dangerous.length, 0);
  return (
    <details className="tl-trace">
      <summary>
        Locks:{' '}
        {dangers === 0
          ? 'nothing blocks reads or writes on an existing table'
          : `${dangers} blocking on an existing table`}
      </summary>
      {trace.map((migration) => (
        <div key={migration.id} className="tl-trace-migration">
          <div className="tl-id">{migration.id}</div>
          <ul>
            {migration.statements.map((statement, i) => (
              <li key={i}>
                <code>{oneLine(statement.sql)}</code>
                {statement.line !== null && <span className="tl-duration"> line {statement.line}</span>}
                <div>
                  {statement.locks.length === 0
                    ? 'no lock held after it'
                    : statement.locks.map((l) => `${l.mode} on ${l.relation}`).join(', ')}
                  {statement.rewrites.length > 0 && `; rewrites ${statement.rewrites.join(', ')}`}
                </div>
              </li>
            ))}
          </ul>
          {migration.dangerous.map((danger, i) => (
            <div key={i} className="tl-trace-danger">
              <span aria-hidden="true">⚠ </span>
              {danger.mode} on {danger.relation} blocks {danger.blocks === 'reads' ? 'reads and writes' : 'writes'} (
              {danger.code}): {oneLine(danger.statement)}
            </div>
          ))}
        </div>
      ))}
    </details>
  );
}

function oneLine(sql: string): string {
  const text = sql.trim().replace(/\s+/g, ' ');
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

export function Timeline({ visible }: { visible: boolean }) {
  const engine = useStore((s) => s.engine);
  const status = useStore((s) => s.status);
  const shownLines = useStore((s) => s.diff?.lines ?? null);
  const allSteps = useStore((s) => s.timeline.steps);
  const steps = allSteps.filter((s) => s.engine === engine);
  const ledger = ledgerView(status, allSteps, engine);
  const root = useRef<HTMLDivElement>(null);
  // Newest at the bottom, kept in view: a new step or opening the tab goes to the bottom, and the view stays there
  // through later changes (the ledger arrives a moment after its step) unless the person scrolled up to read.
  const stick = useRef(true);
  useLayoutEffect(() => {
    stick.current = true;
  }, [steps.length, visible]);
  useLayoutEffect(() => {
    const panel = root.current?.closest('[role="tabpanel"]');
    if (visible && panel && stick.current) panel.scrollTop = panel.scrollHeight;
  });
  useEffect(() => {
    const panel = root.current?.closest('[role="tabpanel"]');
    if (!panel) return;
    const onScroll = () => {
      stick.current = panel.scrollTop + panel.clientHeight >= panel.scrollHeight - 8;
    };
    panel.addEventListener('scroll', onScroll);
    return () => panel.removeEventListener('scroll', onScroll);
  }, []);
  return (
    <div className="timeline" ref={root}>
      <p className="hint db-caption">
        {ENGINE_LABELS[engine]} database · {ledger.applied.length} applied, {ledger.pending.length} pending
      </p>
      <h3 className="tl-heading">
        Ledger <span className="hint">in the order applied</span>
      </h3>
      {ledger.applied.length === 0 ? (
        <p className="empty">The ledger is empty: no migration is applied to this database.</p>
      ) : (
        <ol className="tl-list" aria-label="Ledger, oldest first">
          {ledger.applied.map((row) => (
            <LedgerEntry key={row.id} row={row} />
          ))}
        </ol>
      )}
      {ledger.pending.length > 0 && (
        <p className="tl-pending">
          <span aria-hidden="true">○ </span>Pending: {ledger.pending.map((e) => e.id).join(', ')}
        </p>
      )}
      <h3 className="tl-heading">
        This session <span className="hint">oldest first</span>
      </h3>
      {steps.length === 0 ? (
        <p className="empty">
          No steps yet on this database. Apply, revert, redo or reset, and each step shows here with its diff.
        </p>
      ) : (
        <ol className="tl-list" aria-label="Steps of this session, oldest first">
          {steps.map((step) => (
            <StepEntry key={step.n} step={step} shown={shownLines !== null && step.diff === shownLines} />
          ))}
        </ol>
      )}
    </div>
  );
}
