/** What `mysql2` answers → the core's QueryResult / ExecResult. Node only. */
import type mysql from 'mysql2/promise';
import type { ExecResult, QueryResult, SqlValue } from '../../core/driver.ts';
import { parseInteger } from '../integers.ts';

export type RawResult = mysql.ResultSetHeader | unknown[][] | (mysql.ResultSetHeader | unknown[][])[];

export interface OneResult {
  header: mysql.ResultSetHeader | null;
  rows: SqlValue[][] | null;
  fields: mysql.FieldPacket[] | null;
}

/** mysql2 returns one result, or (multipleStatements) an array of them: tell which, and flatten. */
export function splitResults(result: RawResult, fields: unknown): OneResult[] {
  const isHeader = (x: unknown): x is mysql.ResultSetHeader =>
    typeof x === 'object' && x !== null && !Array.isArray(x) && 'affectedRows' in x;
  if (isHeader(result)) return [{ header: result, rows: null, fields: null }];
  const f = Array.isArray(fields) ? fields : [];
  const multi =
    f.length > 0 ? Array.isArray(f[0]) || f[0] === undefined || f[0] === null : result.some((r) => isHeader(r));
  if (!multi) return [{ header: null, rows: result as SqlValue[][], fields: f as mysql.FieldPacket[] }];
  return (result as (mysql.ResultSetHeader | unknown[][])[]).map((r, i) =>
    isHeader(r)
      ? { header: r, rows: null, fields: null }
      : { header: null, rows: r as SqlValue[][], fields: (f[i] as mysql.FieldPacket[] | undefined) ?? [] },
  );
}

/** The rows of the last statement that produced any. */
export function toQueryResult(results: OneResult[]): QueryResult {
  const withRows = [...results].reverse().find((r) => r.rows !== null);
  if (!withRows || !withRows.rows) return { columns: [], rows: [] };
  return { columns: (withRows.fields ?? []).map((f) => f.name), rows: withRows.rows };
}

/** The changes of all statements, and the id of the last insert among them (0 when none, as MySQL says). */
export function toExecResult(results: OneResult[]): ExecResult {
  let rowsAffected = 0;
  let lastInsertId: number | bigint | null = null;
  for (const r of results) {
    if (!r.header) continue;
    rowsAffected += r.header.affectedRows;
    const id = r.header.insertId as number | string | bigint | undefined;
    if (id !== undefined && id !== null && id !== 0 && id !== '0') {
      lastInsertId = typeof id === 'number' ? id : parseInteger(String(id));
    }
  }
  return { rowsAffected, lastInsertId: lastInsertId ?? 0 };
}
