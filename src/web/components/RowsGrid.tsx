/** A table's rows, a page at a time, under its card in the Schema tree (opened by clicking the table's name). */
import { useEffect, useState } from 'react';
import { readRows, useStore } from '../store.ts';
import { ROWS_PAGE } from '../store/own-database.ts';
import type { RowsPage } from '../worker/protocol.ts';
import { ResultTable } from './ResultTable.tsx';

export function RowsGrid({ table }: { table: string }) {
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<RowsPage | null>(null);
  // Read again whenever the database changes (its schema view is replaced after each command).
  const schema = useStore((s) => s.schema);
  useEffect(() => {
    let current = true;
    void readRows(table, offset).then((p) => {
      if (current) setPage(p);
    });
    return () => {
      current = false;
    };
  }, [table, offset, schema]);
  if (page === null) return <p className="hint">Reading the rows…</p>;
  if (page.error) return <p className="problem">Could not read the rows: {page.error}</p>;
  const last = Math.min(page.offset + page.rows.length, page.total);
  return (
    <div className="rows-grid" role="group" aria-label={`Rows of ${table}`}>
      <p className="hint rows-range" aria-live="polite">
        {page.total === 0 ? 'No rows.' : `Rows ${page.offset + 1}–${last} of ${page.total.toLocaleString('en-US')}`}
      </p>
      {page.rows.length > 0 && <ResultTable columns={page.columns} rows={page.rows} />}
      {page.total > ROWS_PAGE && (
        <p className="rows-pager">
          <button
            type="button"
            className="small"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - ROWS_PAGE))}
          >
            Previous rows
          </button>
          <button
            type="button"
            className="small"
            disabled={last >= page.total}
            onClick={() => setOffset(offset + ROWS_PAGE)}
          >
            Next rows
          </button>
        </p>
      )}
    </div>
  );
}
