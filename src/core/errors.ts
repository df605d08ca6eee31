/** Categories for engine errors, so migration code can branch on `err:kind()` the same way on every engine. */
import type { Engine } from './driver.ts';

export type ErrorKind =
  | 'syntax' // the statement does not parse
  | 'constraint' // a UNIQUE, FOREIGN KEY, NOT NULL or CHECK constraint rejected the data
  | 'undefined' // a table, column, index or function that does not exist
  | 'exists' // creating something that already exists
  | 'aborted' // an earlier statement in this transaction failed
  | 'parameter' // a bad parameter value or count
  | 'permission'
  | 'connection'
  | 'engine'; // anything else the engine reported

/** The engine's message and code, from whatever a driver threw. */
export function engineErrorInfo(error: unknown): { message: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { message: error.message, code: typeof code === 'string' ? code : undefined };
  }
  return { message: String(error) };
}

/**
 * A serialization failure or a deadlock (SQLSTATE 40001, 40P01; MySQL's ER_LOCK_DEADLOCK, SQLSTATE 40001 too): the
 * engine gave up on the transaction because of another one, and the same transaction run again may well succeed.
 */
export function isRetryableConflict(code: string | undefined): boolean {
  return code === '40001' || code === '40P01' || code === 'ER_LOCK_DEADLOCK';
}

export function classifyError(engine: Engine, message: string, code?: string): ErrorKind {
  if (engine === 'postgres' && code) {
    if (code.startsWith('23')) return 'constraint';
    if (code === '42601') return 'syntax';
    if (['42P01', '42703', '42704', '42883', '3F000'].includes(code)) return 'undefined';
    if (['42P07', '42701', '42710', '42P06', '42723'].includes(code)) return 'exists';
    if (code === '25P02') return 'aborted';
    if (code === '42501') return 'permission';
    if (code.startsWith('08') || code.startsWith('57P')) return 'connection';
  }
  if (engine === 'mysql' && code) {
    if (/^ER_(DUP_ENTRY|NO_REFERENCED_ROW|ROW_IS_REFERENCED|BAD_NULL_ERROR|CHECK_CONSTRAINT)/.test(code))
      return 'constraint';
    if (code === 'ER_PARSE_ERROR') return 'syntax';
    if (/^ER_(NO_SUCH_TABLE|BAD_FIELD_ERROR|BAD_TABLE_ERROR|CANT_DROP_FIELD_OR_KEY|SP_DOES_NOT_EXIST)/.test(code))
      return 'undefined';
    if (/^ER_(TABLE_EXISTS_ERROR|DUP_FIELDNAME|DUP_KEYNAME|DB_CREATE_EXISTS)/.test(code)) return 'exists';
    if (/ACCESS_DENIED/.test(code)) return 'permission';
    if (/^(PROTOCOL_CONNECTION_LOST|ECONNRESET|ECONNREFUSED|ETIMEDOUT)$/.test(code)) return 'connection';
  }
  if (code?.startsWith('SQLITE_CONSTRAINT') || /constraint failed/i.test(message)) return 'constraint';
  if (/syntax error/i.test(message)) return 'syntax';
  if (/no such (table|column|index|view|trigger|function|savepoint)|does not exist|unknown column/i.test(message))
    return 'undefined';
  if (/already exists|duplicate column/i.test(message)) return 'exists';
  return 'engine';
}
