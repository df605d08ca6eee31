/** Small pure helpers shared by the snapshot readers and the diff. No Node or DOM APIs. */
import type { SqlValue } from '../driver.ts';

/** Code-unit string order (never locale-aware, so the same on every machine). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares lists of strings element by element, shorter first on a tie. */
function compareKeys(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareStrings(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Sorts a copy by a key (or list of keys) made of strings. */
export function sortBy<T>(items: readonly T[], key: (item: T) => string | readonly string[]): T[] {
  const keyed = items.map((item) => {
    const k = key(item);
    return { item, k: typeof k === 'string' ? [k] : k };
  });
  keyed.sort((x, y) => compareKeys(x.k, y.k));
  return keyed.map((x) => x.item);
}

/** JSON with object keys sorted and `undefined` members left out: equal data gives equal text. Bigints as strings. */
export function stableJson(value: unknown): string {
  return JSON.stringify(normalise(value));
}

function normalise(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(normalise);
  if (value instanceof Uint8Array) return Array.from(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(compareStrings)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = normalise(v);
    }
    return out;
  }
  return value;
}

/**
 * Deep equality of JSON-like data (undefined members count as absent): the same answer as comparing `stableJson`
 * texts, without building them for the plain strings, numbers, arrays and objects snapshots are made of.
 */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'string' && tb === 'string') return false;
  if (ta === 'boolean' && tb === 'boolean') return false;
  if (ta === 'number' && tb === 'number' && Number.isFinite(a) && Number.isFinite(b)) return false;
  if (ta === 'object' && tb === 'object' && a !== null && b !== null) {
    const arrayA = Array.isArray(a);
    const arrayB = Array.isArray(b);
    if (arrayA && arrayB) {
      const x = a as unknown[];
      const y = b as unknown[];
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) if (!sameData(x[i], y[i])) return false;
      return true;
    }
    if (!arrayA && !arrayB && isPlainObject(a as object) && isPlainObject(b as object)) {
      const x = a as Record<string, unknown>;
      const y = b as Record<string, unknown>;
      let count = 0;
      for (const key of Object.keys(x)) {
        const v = x[key];
        if (v === undefined) continue;
        count++;
        const w = y[key];
        if (w === undefined || !Object.prototype.hasOwnProperty.call(y, key) || !sameData(v, w)) return false;
      }
      for (const key of Object.keys(y)) if (y[key] !== undefined) count--;
      return count === 0;
    }
  }
  // Anything else (numbers that JSON prints alike, bigints, bytes, dates, mixed kinds): as their JSON texts compare.
  return stableJson(a) === stableJson(b);
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// ---------------------------------------------------------------------------------------------------------------
// FNV-1a, 64 bits, over the UTF-8 bytes of a string. Four 16-bit limbs so that it stays in exact double arithmetic.

/** FNV-1a 64-bit hash of the UTF-8 encoding of `text`, as 16 hex digits. */
export function fnv1a64(text: string): string {
  // offset basis 0xcbf29ce484222325
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  const step = (byte: number): void => {
    h0 ^= byte;
    // multiply by the prime 0x100000001b3 = 2^40 + 0x1b3
    const t0 = h0 * 0x1b3;
    let t1 = h1 * 0x1b3;
    let t2 = h2 * 0x1b3 + (h0 << 8);
    const t3 = h3 * 0x1b3 + (h1 << 8);
    t1 += t0 >>> 16;
    h0 = t0 & 0xffff;
    t2 += t1 >>> 16;
    h1 = t1 & 0xffff;
    h3 = (t3 + (t2 >>> 16)) & 0xffff;
    h2 = t2 & 0xffff;
  };
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (cp < 0x80) step(cp);
    else if (cp < 0x800) {
      step(0xc0 | (cp >> 6));
      step(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      step(0xe0 | (cp >> 12));
      step(0x80 | ((cp >> 6) & 0x3f));
      step(0x80 | (cp & 0x3f));
    } else {
      step(0xf0 | (cp >> 18));
      step(0x80 | ((cp >> 12) & 0x3f));
      step(0x80 | ((cp >> 6) & 0x3f));
      step(0x80 | (cp & 0x3f));
    }
  }
  const hex = (n: number): string => n.toString(16).padStart(4, '0');
  return hex(h3) + hex(h2) + hex(h1) + hex(h0);
}

/**
 * A canonical text for one value: a type tag and the value. Numbers and bigints share a tag (SQLite hands back 5 and
 * 5n for the same stored integer depending on size), so do all JSON-ish values a driver might produce.
 */
function canonicalValue(value: unknown): string {
  if (value === null || value === undefined) return 'N';
  switch (typeof value) {
    case 'boolean':
      return value ? 'b1' : 'b0';
    case 'number':
      return Object.is(value, -0) ? 'n0' : 'n' + String(value);
    case 'bigint':
      return 'n' + value.toString();
    case 'string':
      return 's' + value;
    default:
      break;
  }
  if (value instanceof Uint8Array) {
    let s = 'x';
    for (const b of value) s += b.toString(16).padStart(2, '0');
    return s;
  }
  if (value instanceof Date) return 'd' + value.toISOString();
  return 'j' + stableJson(value);
}

/**
 * The data fingerprint of a table: each row becomes a canonical text (its columns in name order, each as
 * `name=value` with lengths in front so no two rows can run together), each text is hashed, the hashes are sorted
 * (row order does not matter, duplicates count) and hashed again. Column names take part, so renaming a column changes
 * the fingerprint; the table's name does not.
 */
export function tableFingerprint(columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const order = columns.map((name, index) => ({ name, index })).sort((a, b) => compareStrings(a.name, b.name));
  const hashes: string[] = new Array<string>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    let text = '';
    for (const { name, index } of order) {
      const v = canonicalValue(row[index]);
      text += `${name.length}:${name}=${v.length}:${v};`;
    }
    hashes[r] = fnv1a64(text);
  }
  hashes.sort(compareStrings);
  return fnv1a64(hashes.join(''));
}

/** `"name"` with embedded double quotes doubled (SQLite and PostgreSQL identifier quoting). */
export function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/** A JS number from a count or integer column, whatever form the driver used. */
export function toNumber(value: SqlValue | undefined): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return 0;
}

/** A string column (null stays null). */
export function toText(value: SqlValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return String(value);
}

/** A boolean column: PostgreSQL booleans, SQLite 0/1, or 't'/'f' text. */
export function toBool(value: SqlValue | undefined): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'bigint') return value !== 0n;
  if (typeof value === 'string') return value === 't' || value === 'true' || value === '1';
  return false;
}

/** Rows of a query result as objects keyed by column name. */
export function asObjects(result: { columns: string[]; rows: SqlValue[][] }): Record<string, SqlValue>[] {
  return result.rows.map((row) => {
    const o: Record<string, SqlValue> = {};
    result.columns.forEach((c, i) => {
      o[c] = row[i] ?? null;
    });
    return o;
  });
}
