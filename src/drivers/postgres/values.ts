/** Values between `pg` and the core: parameters out, result text in (through the shared OID table). Node only. */
import type pg from 'pg';
import type { SqlValue } from '../../core/driver.ts';
import { asText, RESULT_PARSERS } from './result-parsers.ts';

/** What `pg` reads results with: the shared table, every other type as text, binary results as bytes. */
export const typeParsers = {
  getTypeParser: (oid: number, format?: string) => {
    if (format === 'binary') return (value: Buffer) => new Uint8Array(value);
    return RESULT_PARSERS[oid] ?? asText;
  },
} as unknown as pg.CustomTypesConfig;

/** A parameter as `pg` sends it: bigints and non-finite floats as the text PostgreSQL reads, bytes as a Buffer. */
export function toPg(value: SqlValue): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (value === Infinity) return 'Infinity';
    if (value === -Infinity) return '-Infinity';
    return value;
  }
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return value; // boolean, string
}
