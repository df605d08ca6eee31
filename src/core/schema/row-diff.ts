/**
 * Which rows a change added, removed and changed, table by table: what the playground's per-step Diff and `verify`'s
 * data finding show, where a fingerprint only says "something differs". Rows are matched by the table's primary key
 * (on both sides); a table without one is compared as a multiset of whole rows (added and removed only). Columns are
 * the union of both sides: a column that exists on one side only shows as "(no column)" on the other.
 */
import type { Driver, SqlValue } from '../driver.ts';
import type { ChangedColumn, ChangedRow, DisplayRow, RowDiff, SchemaSnapshot, TableSnapshot } from './types.ts';

export type { ChangedColumn, ChangedRow, DisplayRow, RowDiff } from './types.ts';
import { quoteName } from '../ledger.ts';

export const ROW_DIFF_SHOWN = 20;

/** Tables with more rows than this are not read for a row diff (their fingerprint and count still tell). */
export const ROW_DIFF_MAX_ROWS = 20_000;

export interface TableRows {
  columns: string[];
  /** Primary key columns (empty: none). */
  key: string[];
  rows: SqlValue[][];
}

/** A table's key in a snapshot: `schema.name` outside PostgreSQL's `public` (as `SchemaChange.path[0]`). */
export function tableKey(table: Pick<TableSnapshot, 'name' | 'schema'>): string {
  return table.schema !== undefined && table.schema !== 'public' ? `${table.schema}.${table.name}` : table.name;
}

/** The rows of each table of `snapshot` small enough to diff (`ROW_DIFF_MAX_ROWS`), by table key. */
export async function readTableRows(
  driver: Pick<Driver, 'query' | 'engine'>,
  snapshot: SchemaSnapshot,
  only?: ReadonlySet<string>,
): Promise<Map<string, TableRows>> {
  const out = new Map<string, TableRows>();
  for (const table of snapshot.tables) {
    const key = tableKey(table);
    if (only && !only.has(key)) continue;
    if ((table.rows ?? 0) > ROW_DIFF_MAX_ROWS) continue;
    // In the engine's own quotes: MySQL reads "name" as a string, not a table.
    const quote = (name: string) => quoteName(driver.engine, name);
    const ref = table.schema !== undefined ? `${quote(table.schema)}.${quote(table.name)}` : quote(table.name);
    const result = await driver.query(`SELECT * FROM ${ref}`, []);
    out.set(key, { columns: result.columns, key: table.primary_key?.columns ?? [], rows: result.rows });
  }
  return out;
}

export function displayValue(value: SqlValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) {
    let hex = '';
    for (let i = 0; i < Math.min(value.length, 32); i++) hex += value[i].toString(16).padStart(2, '0');
    return `x'${hex}${value.length > 32 ? '…' : ''}'`;
  }
  return String(value);
}

function asDisplay(columns: string[], row: SqlValue[]): DisplayRow {
  const out: DisplayRow = {};
  columns.forEach((c, i) => (out[c] = displayValue(row[i])));
  return out;
}

const textOf = (row: DisplayRow, columns: string[]) => JSON.stringify(columns.map((c) => row[c] ?? null));

/** The rows that differ between `before` and `after` of one table; null when none do. */
export function diffRows(before: TableRows, after: TableRows): RowDiff | null {
  const beforeRows = before.rows.map((r) => asDisplay(before.columns, r));
  const afterRows = after.rows.map((r) => asDisplay(after.columns, r));
  // Matched by the primary key when both sides have the same one and its columns exist on both.
  const key =
    before.key.length > 0 &&
    before.key.join('\u0000') === after.key.join('\u0000') &&
    before.key.every((k) => before.columns.includes(k) && after.columns.includes(k))
      ? before.key
      : [];
  const added: DisplayRow[] = [];
  const removed: DisplayRow[] = [];
  const changed: ChangedRow[] = [];
  if (key.length > 0) {
    const byKey = new Map(beforeRows.map((row) => [textOf(row, key), row]));
    const columns = [...new Set([...before.columns, ...after.columns])];
    for (const row of afterRows) {
      const k = textOf(row, key);
      const old = byKey.get(k);
      if (old === undefined) {
        added.push(row);
        continue;
      }
      byKey.delete(k);
      const differing: ChangedColumn[] = [];
      for (const column of columns) {
        const inBefore = before.columns.includes(column);
        const inAfter = after.columns.includes(column);
        const b = inBefore ? (old[column] ?? null) : null;
        const a = inAfter ? (row[column] ?? null) : null;
        if (inBefore && inAfter && a === b) continue;
        // A column added or dropped with the row otherwise the same is a schema change, not a row change, unless
        // it held a value (a value lost with a dropped column is what verify must name).
        if (!inBefore && a === null) continue;
        if (!inAfter && b === null) continue;
        differing.push({
          column,
          before: b,
          after: a,
          ...(inBefore && inAfter ? {} : { only: inBefore ? 'before' : 'after' }),
        });
      }
      if (differing.length > 0)
        changed.push({ key: Object.fromEntries(key.map((c) => [c, row[c] ?? null])), columns: differing });
    }
    removed.push(...byKey.values());
  } else {
    // Whole rows as a multiset (over the columns both sides have).
    const common = before.columns.filter((c) => after.columns.includes(c));
    const counts = new Map<string, DisplayRow[]>();
    for (const row of beforeRows) {
      const t = textOf(row, common);
      counts.set(t, [...(counts.get(t) ?? []), row]);
    }
    for (const row of afterRows) {
      const same = counts.get(textOf(row, common));
      if (same && same.length > 0) same.pop();
      else added.push(row);
    }
    for (const rest of counts.values()) removed.push(...rest);
  }
  if (added.length + removed.length + changed.length === 0) return null;
  return {
    key,
    added: { count: added.length, rows: added.slice(0, ROW_DIFF_SHOWN) },
    removed: { count: removed.length, rows: removed.slice(0, ROW_DIFF_SHOWN) },
    changed: { count: changed.length, rows: changed.slice(0, ROW_DIFF_SHOWN) },
  };
}

/** A value as a person reads it: NULL, a number bare, text quoted (and cut). */
const shown = (v: string | null) =>
  v === null ? 'NULL' : /^-?\d+(\.\d+)?$/.test(v) ? v : `'${v.length > 60 ? `${v.slice(0, 59)}…` : v}'`;
const rowText = (row: DisplayRow) =>
  Object.entries(row)
    .map(([c, v]) => `${c}=${shown(v)}`)
    .join(', ');

/** The diff as lines for a person: a count line, then a line per row shown (`+`, `-`, `~`). */
export function describeRowDiff(diff: RowDiff): string[] {
  const counts = [
    diff.added.count > 0 ? `${diff.added.count} added` : '',
    diff.removed.count > 0 ? `${diff.removed.count} removed` : '',
    diff.changed.count > 0 ? `${diff.changed.count} changed` : '',
  ].filter(Boolean);
  const lines = [`rows: ${counts.join(', ')}${diff.key.length === 0 ? ' (no primary key: whole rows compared)' : ''}`];
  for (const row of diff.changed.rows) {
    const cols = row.columns.map(
      (c) =>
        `${c.column} ${c.only === 'after' ? '(no column)' : shown(c.before)} → ${c.only === 'before' ? '(no column)' : shown(c.after)}`,
    );
    lines.push(`~ row ${rowText(row.key)}: ${cols.join('; ')}`);
  }
  for (const row of diff.added.rows) lines.push(`+ row ${rowText(row)}`);
  for (const row of diff.removed.rows) lines.push(`- row ${rowText(row)}`);
  const more = (n: number, shownCount: number, what: string) =>
    n > shownCount ? [`… and ${n - shownCount} more ${what}`] : [];
  lines.push(
    ...more(diff.changed.count, diff.changed.rows.length, 'changed'),
    ...more(diff.added.count, diff.added.rows.length, 'added'),
    ...more(diff.removed.count, diff.removed.rows.length, 'removed'),
  );
  return lines;
}
