/**
 * The Compare engines dialog: the files run on a fresh SQLite and a fresh PostgreSQL database, side by side, with
 * the findings first ("3 differences" / "Same schema on both engines") and each side's run outcome and schema tree.
 * Differing objects are marked on both sides by colour and by a sign with words (+ only here, − missing here,
 * ≠ differs), never by colour alone. State and actions: src/web/store/compare.ts; what to mark: src/web/compare-marks.ts.
 */
import { useEffect, useRef } from 'react';
import { describeRunError } from '../../core/results.ts';
import { MARK_SIGNS, MARK_WORDS, sideMarks, type Marked, type NoteLine, type SideMarks } from '../compare-marks.ts';
import { formatMs } from '../format.ts';
import { closeCompare, compareVerdict, RESULT_WORDS, stop, useStore } from '../store.ts';
import { ENGINE_LABELS, type CompareReport, type CompareSide, type TableView } from '../worker/protocol.ts';
import { Modal } from './Modal.tsx';
import { ColumnFlags, ColumnsTable, RowCount } from './Panels.tsx';

/** The sign and its words; the words are for screen readers (the sign's meaning is in the legend for the eye). */
function Sign({ marked }: { marked: Marked }) {
  return (
    <>
      <span className="cmp-sign" aria-hidden="true">
        {MARK_SIGNS[marked.mark]}
      </span>
      <span className="sr-only">{MARK_WORDS[marked.mark]}: </span>
    </>
  );
}

function markClass(marked: Marked | null | undefined): string {
  return marked ? ` cmp-${marked.mark}` : '';
}

function Note({ note }: { note: NoteLine }) {
  return (
    <li className={`cmp-note${markClass(note)}`} title={note.why}>
      <Sign marked={note} />
      {note.text}
    </li>
  );
}

function RunOutcome({ side }: { side: CompareSide }) {
  if (side.run === null) return null;
  const { run } = side;
  const counts = new Map<string, number>();
  for (const r of run.results) counts.set(RESULT_WORDS[r.status], (counts.get(RESULT_WORDS[r.status]) ?? 0) + 1);
  const summary = [...counts].map(([word, n]) => `${n} ${word}`).join(', ') || 'nothing to apply';
  return (
    <div className="cmp-run">
      <p className={run.ok ? 'cmp-run-ok' : 'cmp-run-failed'}>
        {run.ok ? '✓' : '✗'} {summary} <span className="duration">in {formatMs(side.runMs)}</span>
      </p>
      {run.error && <pre className="cmp-error">{describeRunError(run.error)}</pre>}
      {run.results.length > 0 && (
        <details>
          <summary>Each migration</summary>
          <ol className="cmp-results">
            {run.results.map((r) => (
              <li key={r.id}>
                <span className="cmp-id">{r.id}</span>{' '}
                <span className={`badge badge-${r.status}`}>{RESULT_WORDS[r.status]}</span>
                {r.reason && <span className="hint"> {r.reason}</span>}
                <span className="duration"> {formatMs(r.duration_ms)}</span>
              </li>
            ))}
          </ol>
        </details>
      )}
    </div>
  );
}

function TableCard({ table, marks }: { table: TableView; marks: SideMarks }) {
  const m = marks.tables.get(table.name.toLowerCase());
  return (
    <div className={`table-card cmp-table${markClass(m?.table)}`} title={m?.table?.why}>
      <h4>
        <span className="table-name">
          {m?.table && <Sign marked={m.table} />}
          {table.name}
        </span>
        <RowCount rows={table.rows} />
      </h4>
      <ColumnsTable name={table.name}>
        {table.columns.map((c) => {
          const marked = m?.columns.get(c.name.toLowerCase());
          return (
            <tr key={c.name} className={markClass(marked).trim() || undefined} title={marked?.why}>
              <td className="col-name">
                {marked && <Sign marked={marked} />}
                {c.name}
              </td>
              <td className="col-type">{c.type || 'any'}</td>
              <ColumnFlags column={c} />
            </tr>
          );
        })}
        {m?.missingColumns.map((c) => (
          <tr key={`missing ${c.text}`} className="cmp-missing" title={c.why}>
            <td className="col-name" colSpan={3}>
              <Sign marked={c} />
              {c.text}
            </td>
          </tr>
        ))}
      </ColumnsTable>
      {(table.indexes.length > 0 || table.foreignKeys.length > 0 || (m?.notes.length ?? 0) > 0) && (
        <ul className="extras">
          {[...table.indexes, ...table.foreignKeys].map((line) => {
            const marked = m?.lines.get(line);
            return (
              <li key={line} className={markClass(marked).trim() || undefined} title={marked?.why}>
                {marked && <Sign marked={marked} />}
                {line}
              </li>
            );
          })}
          {m?.notes.map((note, i) => (
            <Note key={i} note={note} />
          ))}
        </ul>
      )}
    </div>
  );
}

/** This side's tables and, in their places by name, the ones only the other side has: the two sides line up. */
function cards(tables: TableView[], marks: SideMarks, label: string) {
  const entries = [
    ...tables.map((t) => ({ name: t.name, node: <TableCard key={t.name} table={t} marks={marks} /> })),
    ...marks.missingTables.map((t) => ({
      name: t.name,
      node: (
        <div key={`missing ${t.name}`} className="table-card cmp-table cmp-missing" title={t.why}>
          <h4>
            <span className="table-name">
              <Sign marked={t} />
              {t.name}
            </span>
          </h4>
          <p className="hint">No such table on {label}.</p>
        </div>
      ),
    })),
  ];
  const key = (name: string) => name.toLowerCase();
  return entries
    .sort((a, b) => (key(a.name) < key(b.name) ? -1 : key(a.name) > key(b.name) ? 1 : 0))
    .map((e) => e.node);
}

function SideView({ side, index, report }: { side: CompareSide; index: 0 | 1; report: CompareReport }) {
  const label = ENGINE_LABELS[side.engine];
  const marks = sideMarks(report.findings, index, side.schema);
  const headingId = `compare-side-${side.engine}`;
  return (
    <section className="cmp-side" aria-labelledby={headingId}>
      <div className="cmp-side-head">
        <h3 id={headingId}>{label}</h3>
        <span className="hint">
          {report.startsFrom !== null
            ? `from ${report.startsFrom}`
            : side.loadMs >= 100
              ? `loaded in ${formatMs(side.loadMs)}`
              : 'fresh database'}
        </span>
      </div>
      {side.error && <p className="problem cmp-error">{side.error}</p>}
      <RunOutcome side={side} />
      {side.schema && (
        <div className="cmp-schema" aria-label={`${label} schema`} role="group">
          {side.schema.tables.length === 0 && side.schema.others.length === 0 && marks.missingTables.length === 0 && (
            <p className="empty">No tables.</p>
          )}
          {cards(side.schema.tables, marks, label)}
          {(side.schema.others.length > 0 || marks.missingOthers.length > 0) && (
            <ul className="extras others">
              {side.schema.others.map((o) => {
                const marked = marks.others.get(o);
                return (
                  <li key={o} className={markClass(marked).trim() || undefined} title={marked?.why}>
                    {marked && <Sign marked={marked} />}
                    {o}
                  </li>
                );
              })}
              {marks.missingOthers.map((o) => (
                <Note key={o.text} note={o} />
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}

function Findings({ report }: { report: CompareReport }) {
  if (!report.compared) {
    return <p className="problem">The schemas could not be compared: see each side below.</p>;
  }
  if (report.findings.length === 0) return null;
  return (
    <ol className="cmp-findings">
      {report.findings.map((f, i) => (
        <li key={i}>
          <code className="cmp-path">{f.path.join('.')}</code> {f.explanation}
        </li>
      ))}
    </ol>
  );
}

export function CompareEnginesDialog() {
  const { open, phase, loadingPostgres, report } = useStore((s) => s.compare);
  // Back to the button on close: the dialog cannot restore it itself, since the button was disabled (and so lost the
  // focus) while the comparison ran.
  const wasOpen = useRef(open);
  useEffect(() => {
    if (wasOpen.current && !open) document.getElementById('compare-engines-button')?.focus();
    wasOpen.current = open;
  }, [open]);
  const verdict = report ? compareVerdict(report) : null;
  const failedRuns = report?.sides.filter((s) => s.run !== null && !s.run.ok).map((s) => ENGINE_LABELS[s.engine]) ?? [];
  return (
    <Modal
      open={open}
      onClose={closeCompare}
      titleId="compare-title"
      className="compare-dialog"
      title="Compare engines"
    >
      <p className="modal-intro">
        Every file applied (up) on a fresh SQLite and a fresh PostgreSQL database, and the two schemas compared by
        meaning: <code>INTEGER PRIMARY KEY</code> and <code>SERIAL</code>, <code>TEXT</code> and <code>varchar</code>{' '}
        count as the same. Your databases are not touched.
      </p>
      <div className="cmp-summary" aria-live="polite" aria-busy={phase === 'running'}>
        {phase === 'running' && (
          <p className="cmp-running">
            <span className="cmp-spinner" aria-hidden="true" />
            {loadingPostgres
              ? 'Loading PostgreSQL (PGlite, about 5 MB the first time)…'
              : 'Running the files on SQLite and PostgreSQL…'}
            <button type="button" className="small danger" onClick={stop}>
              Stop comparing
            </button>
          </p>
        )}
        {phase === 'ended' && (
          <p className="problem">The comparison did not finish (stopped, or the engine failed: see the log).</p>
        )}
        {phase === 'done' && report && verdict && (
          <>
            <h3 className={`cmp-headline cmp-${verdict.tone}`}>{verdict.text}</h3>
            {report.startsFrom !== null && (
              <p className="cmp-start">
                Both engines started from your starting database, {report.startsFrom}, and applied what it has pending.
              </p>
            )}
            {failedRuns.length > 0 && report.compared && (
              <p className="cmp-warning">
                The run failed on {failedRuns.join(' and ')}: below, the schema each engine reached and where they
                differ so far.
              </p>
            )}
            <Findings report={report} />
          </>
        )}
      </div>
      {phase === 'done' && report && (
        <>
          {report.findings.length > 0 && (
            <p className="legend cmp-legend" aria-hidden="true">
              <span className="cmp-only">
                <span className="cmp-sign">+</span> only on this engine
              </span>
              <span className="cmp-missing">
                <span className="cmp-sign">−</span> missing on this engine
              </span>
              <span className="cmp-differs">
                <span className="cmp-sign">≠</span> differs
              </span>
            </p>
          )}
          <div className="cmp-sides">
            <SideView side={report.sides[0]} index={0} report={report} />
            <SideView side={report.sides[1]} index={1} report={report} />
          </div>
        </>
      )}
    </Modal>
  );
}
