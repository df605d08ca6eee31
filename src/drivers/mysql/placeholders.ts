/**
 * Client-side parameters: server-side prepared statements cannot run every statement a migration may contain, so
 * statements go through the text protocol with each `?` replaced by its parameter as an escaped literal. Node only.
 */
import type { SqlValue } from '../../core/driver.ts';
import { literal } from './values.ts';

function wrongArguments(message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code: 'ER_WRONG_ARGUMENTS' });
}

/**
 * Replaces each `?` placeholder with its parameter, skipping `'…'`, `"…"` (with backslash escapes and doubled quotes),
 * `` `…` `` identifiers, `-- `, `#` and `/* *\/` comments.
 */
export function substituteParams(sql: string, params: SqlValue[]): string {
  if (params.length === 0 && !sql.includes('?')) return sql;
  let out = '';
  let last = 0;
  let used = 0;
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i];
    if (c === "'" || c === '"' || c === '`') {
      i++;
      while (i < n) {
        if (sql[i] === '\\' && c !== '`') {
          i += 2;
        } else if (sql[i] === c) {
          if (sql[i + 1] === c) i += 2;
          else {
            i++;
            break;
          }
        } else i++;
      }
    } else if (c === '#' || (c === '-' && sql[i + 1] === '-' && (i + 2 >= n || /[\s\x00-\x1f]/.test(sql[i + 2])))) {
      while (i < n && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '?') {
      if (used >= params.length) {
        throw wrongArguments(`the statement has more ? placeholders than the ${params.length} parameter(s) given`);
      }
      out += sql.slice(last, i) + literal(params[used++]);
      i++;
      last = i;
    } else i++;
  }
  if (used !== params.length) {
    throw wrongArguments(`the statement has ${used} ? placeholder(s) but ${params.length} parameter(s) were given`);
  }
  return used === 0 ? sql : out + sql.slice(last);
}
