/**
 * PostgreSQL's text output → SqlValue, by type OID: one table for the server driver (`pg`) and PGlite. No Node API
 * (PGlite runs in the browser worker).
 *
 * Values (deliberate, see DESIGN §3): bool → boolean; int2/int4/oid/float4/float8 → number (Number reads NaN and
 * ±Infinity); int8 → number, or bigint beyond ±2^53; bytea → Uint8Array; every other type → the text PostgreSQL
 * printed (numeric, dates, times, intervals, json, uuid, arrays, …).
 */
import type { SqlValue } from '../../core/driver.ts';
import { parseInteger } from '../integers.ts';

export const BOOL = 16;
export const BYTEA = 17;
const INT8 = 20;
const INT2 = 21;
const INT4 = 23;
const OID = 26;
const FLOAT4 = 700;
const FLOAT8 = 701;

/** bytea as PostgreSQL prints it: hex (`\x0a0b`, the default) or the old escape format. */
function parseBytea(text: string): Uint8Array {
  if (text.startsWith('\\x')) {
    const out = new Uint8Array((text.length - 2) >> 1);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 + i * 2, 2), 16);
    return out;
  }
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) {
      if (text[i + 1] === '\\') {
        out.push(92);
        i++;
      } else {
        out.push(parseInt(text.substr(i + 1, 3), 8));
        i += 3;
      }
    } else {
      out.push(c);
    }
  }
  return Uint8Array.from(out);
}

export const asText = (text: string): string => text;

/** The types read into something other than their text; a type without an entry stays text (`asText`). */
export const RESULT_PARSERS: Readonly<Record<number, (text: string) => SqlValue>> = {
  [BOOL]: (t) => t === 't' || t === 'true',
  [BYTEA]: parseBytea,
  [INT8]: parseInteger,
  [INT2]: Number,
  [INT4]: Number,
  [OID]: Number,
  [FLOAT4]: Number,
  [FLOAT8]: Number,
};
