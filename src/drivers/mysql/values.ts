/** Values between `mysql2` and the core: result fields in, parameters out as literals. Node only. */
import mysql from 'mysql2/promise';
import type { SqlValue } from '../../core/driver.ts';
import { normalizeInteger } from '../integers.ts';

interface CastField {
  type: string;
  string(encoding?: string): string | null;
  buffer(): Buffer | null;
}

/** BIGINT exact (number within ±2^53, else bigint), BIT as an unsigned integer, binary data as Uint8Array. */
function readField(field: CastField, next: () => unknown): unknown {
  switch (field.type) {
    case 'LONGLONG': {
      const s = field.string('ascii');
      return s === null ? null : normalizeInteger(BigInt(s));
    }
    case 'BIT': {
      const b = field.buffer();
      if (b === null) return null;
      let n = 0n;
      for (const byte of b) n = (n << 8n) | BigInt(byte);
      return normalizeInteger(n);
    }
    case 'GEOMETRY': {
      const b = field.buffer();
      return b === null ? null : new Uint8Array(b);
    }
    default: {
      const v = next();
      return Buffer.isBuffer(v) ? new Uint8Array(v) : v;
    }
  }
}

export const typeCast = readField as unknown as mysql.TypeCast;

/** One value as a MySQL literal. */
export function literal(value: SqlValue): string {
  if (value === null || value === undefined) return 'NULL';
  switch (typeof value) {
    case 'boolean':
      return value ? '1' : '0';
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`MySQL has no literal for ${value}: pass NULL or a finite number`);
      return Object.is(value, -0) ? '0' : String(value);
    case 'string':
      return mysql.escape(value);
  }
  if (value instanceof Uint8Array)
    return `X'${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}'`;
  throw new Error(`unsupported parameter type ${typeof value}`);
}
