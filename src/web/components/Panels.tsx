/** The Schema and Timeline tabs, and the Diff, Log and SQL console regions. */
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { clearLog, runSql, showLine, useStore, type LogEntry } from '../store.ts';
import { formatMs } from '../format.ts';
import { ENGINE_LABELS, type ColumnView, type DiffLine } from '../worker/protocol.ts';
import { RunProgress } from './Progress.tsx';
import { ShortcutsButton } from './ShortcutsHelp.tsx';
import { Timeline } from './Timeline.tsx';
import { RowsGrid } from './RowsGrid.tsx';
import { ResultTable } from './ResultTable.tsx';
import { plural } from '../../core/plural.ts';
import { LEDGER_TABLE } from '../../core/ledger.ts';

const TABS = [
  { id: 'schema', label: 'Schema' },
  { id: 'timeline', label: 'Timeline' },
] as const;
type TabId = (typeof TABS)[number]['id'];

/**
 * The current database, two ways: its Schema (the tables) and its Timeline (the ledger and this session's steps).
 * Tabs as ARIA describes them: arrow keys, Home and End move between the tabs (and show them), Tab goes into the
 * shown panel. The Schema tab holds the "Schema" region of the page's contract.
 */
export function DatabasePanel() {
  const [tab, setTab] = useState<TabId>('schema');
  const buttons = useRef<Partial<Record<TabId, HTMLButtonElement | null>>>({});
  const choose = (id: TabId) => {
    setTab(id);
    buttons.current[id]?.focus();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const index = TABS.findIndex((t) => t.id === tab);
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: TABS.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    choose(TABS[(next + TABS.length) % TABS.length].id);
  };
  return (
    <div className="panel schema">
      <div className="panel-head">
        <div className="tabs" role="tablist" aria-label="The current database" onKeyDown={onKeyDown}>
          {TABS.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              id={`db-tab-${t.id}`}
              aria-controls={`db-panel-${t.id}`}
              aria-selected={tab === t.id}
              tabIndex={tab === t.id ? 0 : -1}
              ref={(el) => {
                buttons.current[t.id] = el;
              }}
              onClick={() => choose(t.id)}
            >
              {t.label}
            </button>
          ))}
        </div>
      </div>
      {TABS.map((t) => (
        <div
          key={t.id}
          className="panel-body"
          role="tabpanel"
          id={`db-panel-${t.id}`}
          aria-labelledby={`db-tab-${t.id}`}
          hidden={tab !== t.id}
          tabIndex={0}
        >
          {t.id === 'schema' ? <SchemaView /> : <Timeline visible={tab === 'timeline'} />}
        </div>
      ))}
    </div>
  );
}

function SchemaView() {
  const schema = useStore((s) => s.schema);
  const error = useStore((s) => s.schemaError);
  const engine = useStore((s) => s.engine);
  // The tables whose rows are shown (clicking a table's name opens and closes its rows grid).
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (name: string) =>
    setOpen((was) => {
      const next = new Set(was);
      if (!next.delete(name)) next.add(name);
      return next;
    });
  return (
    <section aria-label="Schema">
      <p className="hint db-caption">{ENGINE_LABELS[engine]} database</p>
      {error && <p className="problem">Could not read the schema: {error}</p>}
      {!error && !schema && <p className="empty">Waiting for the database…</p>}
      {schema && schema.tables.length === 0 && schema.others.length === 0 && (
        <p className="empty">No tables yet. Apply a migration to create some.</p>
      )}
      {schema?.tables.map((t) => (
        <div className="table-card" key={t.name}>
          <h3>
            <button
              type="button"
              className="table-name link"
              aria-expanded={open.has(t.name)}
              title={`Show the rows of ${t.name}`}
              onClick={() => toggle(t.name)}
            >
              {t.name}
            </button>
            <RowCount rows={t.rows} />
          </h3>
          {open.has(t.name) && <RowsGrid table={t.name} />}
          <ColumnsTable name={t.name}>
            {t.columns.map((c) => (
              <tr key={c.name}>
                <td className="col-name">{c.name}</td>
                <td className="col-type">{c.type || 'any'}</td>
                <ColumnFlags column={c} />
              </tr>
            ))}
          </ColumnsTable>
          {(t.indexes.length > 0 || t.foreignKeys.length > 0 || t.checks.length > 0) && (
            <ul className="extras">
              {[...t.indexes, ...t.foreignKeys, ...t.checks].map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          )}
        </div>
      ))}
      {schema && schema.others.length > 0 && (
        <ul className="extras others">
          {schema.others.map((o) => (
            <li key={o}>{o}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

const SIGN_CLASS: Record<DiffLine['sign'], string> = { '+': 'added', '-': 'removed', '~': 'changed', ' ': 'same' };

function DiffLines({ lines }: { lines: DiffLine[] }) {
  return (
    <ul className="diff-lines">
      {lines.map((l, i) => (
        <li key={i} className={`diff-${SIGN_CLASS[l.sign]}`} style={{ paddingLeft: `${0.5 + l.depth * 1.25}rem` }}>
          <span className="sign">{l.sign}</span> {l.text}
        </li>
      ))}
    </ul>
  );
}

export function DiffPanel() {
  const diff = useStore((s) => s.diff);
  return (
    <section className="panel diff" aria-label="Diff">
      <div className="panel-head">
        <h2>Diff</h2>
        {diff && <span className="hint">{diff.title}</span>}
      </div>
      {/* A tab stop: a long diff scrolls, and the keyboard must reach it too. */}
      <div className="panel-body" tabIndex={0}>
        {!diff && <p className="empty">What the last step changed shows here.</p>}
        {diff && diff.lines.length === 0 && <p className="empty">No changes to the schema.</p>}
        {diff && diff.lines.length > 0 && (
          <>
            <p className="legend" aria-hidden="true">
              <span className="diff-added">+ added</span> <span className="diff-removed">- removed</span>{' '}
              <span className="diff-changed">~ changed</span>
            </p>
            <DiffLines lines={diff.lines} />
          </>
        )}
      </div>
    </section>
  );
}

function LogLine({ entry }: { entry: LogEntry }) {
  return (
    <li className={`log-${entry.kind}`}>
      <time>{entry.time}</time>
      <span className="log-text">
        {entry.text}
        {entry.durationMs !== undefined && <span className="duration"> {formatMs(entry.durationMs)}</span>}
        {entry.link && ' '}
        {entry.link && (
          <button type="button" className="link" onClick={() => showLine(entry.link!)}>
            Go to line {entry.link.line}
          </button>
        )}
        {entry.detail && <pre>{entry.detail}</pre>}
      </span>
    </li>
  );
}

export function LogPanel() {
  const log = useStore((s) => s.log);
  const list = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [log]);
  return (
    <section className="panel log" aria-label="Log">
      <div className="panel-head">
        <h2>Log</h2>
        <RunProgress />
        <ShortcutsButton />
        <button type="button" className="small quiet" onClick={clearLog} disabled={log.length === 0}>
          Clear log
        </button>
      </div>
      {/* The live region around the list (a list item's parent must stay a list for screen readers). A tab stop, so
          that a keyboard can scroll it once it is longer than its box. */}
      <div className="log-list" ref={list} role="log" aria-label="Log entries" tabIndex={0}>
        <ol className="log-entries">
          {log.map((entry) => (
            <LogLine key={entry.id} entry={entry} />
          ))}
        </ol>
      </div>
    </section>
  );
}

export function SqlConsole() {
  const [sql, setSql] = useState('');
  const result = useStore((s) => s.sqlResult);
  const stale = useStore((s) => s.sqlStale);
  const busy = useStore((s) => s.busy);
  const ready = useStore((s) => s.engineState === 'ready');
  return (
    <section className="panel console" aria-label="SQL console">
      <details>
        <summary>
          <h2>SQL console</h2>
        </summary>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void runSql(sql);
          }}
        >
          <textarea
            aria-label="SQL"
            placeholder={`SELECT * FROM ${LEDGER_TABLE}`}
            value={sql}
            spellCheck={false}
            rows={3}
            onChange={(e) => setSql(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                void runSql(sql);
              }
            }}
          />
          <button type="submit" className="small" disabled={busy !== null || !ready || !sql.trim()}>
            Run SQL
          </button>
          <span className="hint">Runs outside any migration, on the current database.</span>
        </form>
        {result && (
          <div className={`sql-result${stale ? ' stale' : ''}`}>
            {stale && (
              <p className="stale-note">
                <strong>Out of date:</strong> the database changed since this ran.{' '}
                <button
                  type="button"
                  className="link"
                  disabled={busy !== null || !ready}
                  onClick={() => void runSql(sql)}
                >
                  Run it again
                </button>
              </p>
            )}
            <p className={result.ok ? 'hint' : 'problem'}>{result.message}</p>
            {result.columns.length > 0 && <ResultTable columns={result.columns} rows={result.rows} />}
          </div>
        )}
      </details>
    </section>
  );
}

/** A table's row count as the schema trees show it (here and in Compare engines); nothing when it is not known. */
export function RowCount({ rows }: { rows: number | null }) {
  return rows === null ? null : <span className="rows">{plural(rows, 'row')}</span>;
}

/** The columns of table `name` (rows of `children`), with the caption and headers screen readers announce. */
export function ColumnsTable({ name, children }: { name: string; children: ReactNode }) {
  return (
    <table className="columns">
      <caption className="sr-only">Columns of {name}</caption>
      <thead className="sr-only">
        <tr>
          <th>Column</th>
          <th>Type</th>
          <th>Constraints</th>
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** A column's constraints as the schema trees show them (here and in Compare engines): PK, not null, its default. */
export function ColumnFlags({ column }: { column: ColumnView }) {
  return (
    <td className="col-flags">
      {column.primaryKey && <abbr title="primary key">PK</abbr>}
      {!column.nullable && !column.primaryKey && <span>not null</span>}
      {/* Whole, wrapping where it must (styles.css): a default cut short could read as another value. */}
      {column.default !== null && <span className="col-default">= {column.default}</span>}
    </td>
  );
}
