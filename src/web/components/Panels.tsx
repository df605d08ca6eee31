/** The Schema, Diff, Log and SQL console regions. */
import { useEffect, useRef, useState } from 'react';
import { runSql, showLine, useStore, type LogEntry } from '../store.ts';
import { ENGINE_LABELS, type DiffLine } from '../worker/protocol.ts';

export function SchemaPanel() {
  const schema = useStore((s) => s.schema);
  const error = useStore((s) => s.schemaError);
  const engine = useStore((s) => s.engine);
  return (
    <section className="panel schema" aria-label="Schema">
      <div className="panel-head">
        <h2>Schema</h2>
        <span className="hint">{ENGINE_LABELS[engine]} database</span>
      </div>
      <div className="panel-body">
        {error && <p className="problem">Could not read the schema: {error}</p>}
        {!error && !schema && <p className="empty">Waiting for the database…</p>}
        {schema && schema.tables.length === 0 && schema.others.length === 0 && (
          <p className="empty">No tables yet. Apply a migration to create some.</p>
        )}
        {schema?.tables.map((t) => (
          <div className="table-card" key={t.name}>
            <h3>
              <span className="table-name">{t.name}</span>
              {t.rows !== null && <span className="rows">{t.rows} row{t.rows === 1 ? '' : 's'}</span>}
            </h3>
            <table className="columns">
              <caption className="sr-only">Columns of {t.name}</caption>
              <thead className="sr-only"><tr><th>Column</th><th>Type</th><th>Constraints</th></tr></thead>
              <tbody>
                {t.columns.map((c) => (
                  <tr key={c.name}>
                    <td className="col-name">{c.name}</td>
                    <td className="col-type">{c.type || 'any'}</td>
                    <td className="col-flags">
                      {c.primaryKey && <abbr title="primary key">PK</abbr>}
                      {!c.nullable && !c.primaryKey && <span>not null</span>}
                      {c.default !== null && <span title={`default ${c.default}`}>= {shorten(c.default, 18)}</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {(t.indexes.length > 0 || t.foreignKeys.length > 0) && (
              <ul className="extras">
                {t.indexes.map((i) => <li key={i}>{i}</li>)}
                {t.foreignKeys.map((fk) => <li key={fk}>{fk}</li>)}
              </ul>
            )}
          </div>
        ))}
        {schema && schema.others.length > 0 && (
          <ul className="extras others">{schema.others.map((o) => <li key={o}>{o}</li>)}</ul>
        )}
      </div>
    </section>
  );
}

function shorten(text: string, max: number): string {
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

const SIGN_CLASS: Record<DiffLine['sign'], string> = { '+': 'added', '-': 'removed', '~': 'changed', ' ': 'same' };

export function DiffLines({ lines }: { lines: DiffLine[] }) {
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
      <div className="panel-body">
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

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

export function LogPanel() {
  const log = useStore((s) => s.log);
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [log]);
  return (
    <section className="panel log" aria-label="Log">
      <div className="panel-head">
        <h2>Log</h2>
        <button type="button" className="small quiet" onClick={() => useStore.setState({ log: [] })} disabled={log.length === 0}>
          Clear log
        </button>
      </div>
      <ol className="log-list" ref={list} role="log" aria-label="Log entries">
        {log.map((entry) => <LogLine key={entry.id} entry={entry} />)}
      </ol>
    </section>
  );
}

export function SqlConsole() {
  const [sql, setSql] = useState('');
  const result = useStore((s) => s.sqlResult);
  const busy = useStore((s) => s.busy);
  const ready = useStore((s) => s.engineState === 'ready');
  return (
    <section className="panel console" aria-label="SQL console">
      <details>
        <summary><h2>SQL console</h2></summary>
        <form onSubmit={(e) => { e.preventDefault(); void runSql(sql); }}>
          <textarea
            aria-label="SQL"
            placeholder="SELECT * FROM _migrations"
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
          <button type="submit" className="small" disabled={busy !== null || !ready || !sql.trim()}>Run SQL</button>
          <span className="hint">Runs outside any migration, on the current database.</span>
        </form>
        {result && (
          <div className="sql-result">
            <p className={result.ok ? 'hint' : 'problem'}>{result.message}</p>
            {result.columns.length > 0 && (
              <div className="sql-table">
                <table>
                  <thead><tr>{result.columns.map((c, i) => <th key={i}>{c}</th>)}</tr></thead>
                  <tbody>
                    {result.rows.map((row, r) => (
                      <tr key={r}>{row.map((v, c) => <td key={c} className={v === null ? 'null' : undefined}>{v ?? 'NULL'}</td>)}</tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </div>
        )}
      </details>
    </section>
  );
}
