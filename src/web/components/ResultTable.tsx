/** Rows as a table (the SQL console's result, a page of the rows grid): NULL shown as such, never as empty text. */
export function ResultTable({ columns, rows }: { columns: string[]; rows: (string | null)[][] }) {
  return (
    <div className="sql-table">
      <table>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, r) => (
            <tr key={r}>
              {row.map((v, c) => (
                <td key={c} className={v === null ? 'null' : undefined}>
                  {v ?? 'NULL'}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
