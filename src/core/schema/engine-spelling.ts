/**
 * How each engine spells the same thing, reduced to what it means, for comparing a schema built on one engine with
 * the same migrations' schema on another (`compare-engines.ts`). Two jobs: a column type's *family* (`INTEGER`,
 * `int4`, `bigint`, `serial` are all whole numbers) and a default's *meaning* (`'x'::text` and `'x'` are the same
 * constant; `CURRENT_TIMESTAMP` and `now()` both mean "the current time").
 *
 * The families follow what a person means by the declared type, not SQLite's affinity rules: `BOOLEAN` and `DATETIME`
 * have NUMERIC affinity on SQLite, but someone who writes them on both engines means a boolean and a timestamp. Size
 * and precision (`varchar(20)` vs `text`, `numeric(10,2)` vs `real`) are not part of a family.
 */

export type TypeFamily =
  | 'integer'
  | 'number'
  | 'text'
  | 'boolean'
  | 'bytes'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'json'
  | 'uuid'
  | 'array'
  | 'any'
  | 'other';

/** Words for each family, used in explanations ("SQLite stores it as INTEGER (whole numbers), …"). */
export const FAMILY_WORDS: Record<TypeFamily, string> = {
  integer: 'whole numbers',
  number: 'numbers with decimals',
  text: 'text',
  boolean: 'true/false',
  bytes: 'bytes',
  date: 'dates',
  time: 'times of day',
  timestamp: 'date and time',
  json: 'JSON',
  uuid: 'UUIDs',
  array: 'an array',
  any: 'any value: no declared type',
  other: 'its own type',
};

const EXACT: Record<string, TypeFamily> = {
  int: 'integer',
  integer: 'integer',
  int2: 'integer',
  int4: 'integer',
  int8: 'integer',
  smallint: 'integer',
  bigint: 'integer',
  tinyint: 'integer',
  mediumint: 'integer',
  serial: 'integer',
  serial2: 'integer',
  serial4: 'integer',
  serial8: 'integer',
  smallserial: 'integer',
  bigserial: 'integer',
  real: 'number',
  float: 'number',
  float4: 'number',
  float8: 'number',
  double: 'number',
  'double precision': 'number',
  numeric: 'number',
  decimal: 'number',
  money: 'number',
  text: 'text',
  varchar: 'text',
  'character varying': 'text',
  char: 'text',
  character: 'text',
  bpchar: 'text',
  nchar: 'text',
  nvarchar: 'text',
  'native character': 'text',
  'varying character': 'text',
  clob: 'text',
  citext: 'text',
  string: 'text',
  tinytext: 'text',
  mediumtext: 'text',
  longtext: 'text',
  bool: 'boolean',
  boolean: 'boolean',
  blob: 'bytes',
  bytea: 'bytes',
  binary: 'bytes',
  varbinary: 'bytes',
  tinyblob: 'bytes',
  mediumblob: 'bytes',
  longblob: 'bytes',
  date: 'date',
  time: 'time',
  'time without time zone': 'time',
  'time with time zone': 'time',
  timetz: 'time',
  timestamp: 'timestamp',
  'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamp',
  timestamptz: 'timestamp',
  datetime: 'timestamp',
  json: 'json',
  jsonb: 'json',
  uuid: 'uuid',
};

/** The family of a declared type, as any of the engines spells it. */
export function typeFamily(declared: string): TypeFamily {
  const raw = declared.trim().toLowerCase();
  if (raw === '') return 'any';
  if (raw.endsWith('[]') || raw.startsWith('array')) return 'array';
  // MySQL's BOOLEAN is tinyint(1).
  if (/^tinyint\s*\(\s*1\s*\)/.test(raw)) return 'boolean';
  const base = raw
    .replace(/\([^)]*\)/g, ' ')
    .replace(/\b(unsigned|signed|zerofill)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const exact = EXACT[base];
  if (exact !== undefined) return exact;
  // SQLite's own fallbacks for other spellings (`UNSIGNED BIG INT`, `VARYING CHARACTER(5)`, `DOUBLE FLOAT`, …).
  if (base.includes('int')) return 'integer';
  if (base.includes('char') || base.includes('text') || base.includes('clob')) return 'text';
  if (base.includes('blob')) return 'bytes';
  if (base.includes('real') || base.includes('floa') || base.includes('doub')) return 'number';
  return 'other';
}

/** Two declared types mean the same kind of value. `other` types (enums, `inet`, …) only match by name. */
export function sameFamily(a: string, b: string): boolean {
  const fa = typeFamily(a);
  const fb = typeFamily(b);
  if (fa !== fb) return false;
  if (fa === 'other' || fa === 'array') return normaliseSql(a) === normaliseSql(b);
  return true;
}

/** What a default means, as far as it can be told from how an engine prints it. */
export type DefaultMeaning =
  | { kind: 'none' }
  | { kind: 'constant'; value: string }
  | { kind: 'now' }
  | { kind: 'sequence' }
  | { kind: 'expression'; text: string };

/** Lower case, no white space, no double quotes: for comparing bits of SQL that each engine spells alike. */
export function normaliseSql(text: string): string {
  return text.toLowerCase().replace(/"/g, '').replace(/\s+/g, '');
}

/** Outer parentheses around the whole text, as many as there are. */
function unwrap(text: string): string {
  let t = text.trim();
  for (;;) {
    if (!t.startsWith('(') || !t.endsWith(')')) return t;
    let depth = 0;
    for (let i = 0; i < t.length; i++) {
      if (t[i] === '(') depth++;
      else if (t[i] === ')' && --depth === 0 && i < t.length - 1) return t;
    }
    t = t.slice(1, -1).trim();
  }
}

/** PostgreSQL's trailing casts: `'x'::text`, `'a'::character varying`, `NULL::timestamp without time zone`. */
const TRAILING_CAST = /::\s*[a-z_][a-z0-9_ ]*(\(\s*\d+(\s*,\s*\d+)?\s*\))?(\[\])?\s*$/i;

const NOW =
  /\b(now|current_timestamp|current_date|current_time|localtimestamp|localtime|unixepoch|transaction_timestamp|statement_timestamp|clock_timestamp)\b|'now'/i;

export function defaultMeaning(text: string | null): DefaultMeaning {
  if (text === null) return { kind: 'none' };
  let t = unwrap(text);
  if (/^nextval\s*\(/i.test(t)) return { kind: 'sequence' };
  for (let cast = t.replace(TRAILING_CAST, ''); cast !== t; cast = t.replace(TRAILING_CAST, '')) t = unwrap(cast);
  if (/^null$/i.test(t)) return { kind: 'none' };
  if (/^true$/i.test(t)) return { kind: 'constant', value: '1' };
  if (/^false$/i.test(t)) return { kind: 'constant', value: '0' };
  const quoted = /^'((?:[^']|'')*)'$/.exec(t);
  if (quoted) return { kind: 'constant', value: quoted[1].replace(/''/g, "'") };
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return { kind: 'constant', value: t };
  if (NOW.test(t)) return { kind: 'now' };
  return { kind: 'expression', text: t };
}

/** Two constants are equal as text, or as numbers (`0` and `'0'`, `1.50` and `1.5`), or as booleans (`'t'`, `1`). */
function sameConstant(a: string, b: string): boolean {
  if (a === b) return true;
  const bool = (v: string): string => (/^(t|true|1)$/i.test(v) ? '1' : /^(f|false|0)$/i.test(v) ? '0' : v);
  if (bool(a) === bool(b)) return true;
  const [x, y] = [Number(a), Number(b)];
  return a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y) && x === y;
}

/**
 * Whether two defaults clearly differ. Two different expressions do not count: each engine has its own functions
 * (`strftime('%s', 'now')` and `EXTRACT(epoch FROM now())::integer` mean the same), and telling them apart would
 * need an interpreter. A constant against another constant, against an expression or against no default does count.
 */
export function defaultsDiffer(a: DefaultMeaning, b: DefaultMeaning): boolean {
  if (a.kind === 'constant' && b.kind === 'constant') return !sameConstant(a.value, b.value);
  if (a.kind === 'expression' && b.kind === 'expression') return false;
  return a.kind !== b.kind;
}
