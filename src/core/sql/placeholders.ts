/**
 * A small, hand-written, single-pass SQL lexer per dialect. It only knows what it needs to:
 *
 * - the lexical regions where nothing counts (string literals, quoted identifiers, comments, dollar quotes),
 * - the placeholders of each engine (to count them, and to rewrite `?` to `$1…$n` for PostgreSQL),
 * - top-level `;` (to split a script into statements).
 *
 * It never throws: an unterminated literal or comment runs to the end of the text, and the engine reports the
 * syntax error. It works on UTF-16 char codes, one pass, no regular expressions.
 */
import type { Engine } from '../driver.ts';

export interface BoundSql {
  /** The SQL in the engine's own placeholder form. */
  sql: string;
  /** How many parameter values the statement takes (the caller pads missing trailing ones with NULL). */
  placeholderCount: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Character codes and classes
// ---------------------------------------------------------------------------------------------------------------

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const BANG = 0x21;
const DQ = 0x22;
const HASH = 0x23;
const DOLLAR = 0x24;
const AMP = 0x26;
const SQ = 0x27;
const LPAREN = 0x28;
const RPAREN = 0x29;
const STAR = 0x2a;
const DASH = 0x2d;
const SLASH = 0x2f;
const COLON = 0x3a;
const SEMI = 0x3b;
const QMARK = 0x3f;
const AT = 0x40;
const UPPER_E = 0x45;
const LBRACKET = 0x5b;
const BACKSLASH = 0x5c;
const UNDERSCORE = 0x5f;
const BACKTICK = 0x60;
const LOWER_E = 0x65;
const PIPE = 0x7c;
const DEL = 0x7f;

/** Letters and `_`: may start an unquoted identifier. */
const C_ALPHA = 1;
const C_DIGIT = 2;
/** `$`: continues an unquoted identifier on every engine (`a$b`), never starts one here. */
const C_DOLLAR = 4;
/** ASCII white space: tab, LF, VT, FF, CR, space. */
const C_SPACE = 8;

const CLASS = new Uint8Array(128);
for (let c = 0x41; c <= 0x5a; c++) CLASS[c] = C_ALPHA;
for (let c = 0x61; c <= 0x7a; c++) CLASS[c] = C_ALPHA;
CLASS[UNDERSCORE] = C_ALPHA;
for (let c = 0x30; c <= 0x39; c++) CLASS[c] = C_DIGIT;
CLASS[DOLLAR] = C_DOLLAR;
for (let c = TAB; c <= CR; c++) CLASS[c] = C_SPACE;
CLASS[SPACE] = C_SPACE;

const C_WORD = C_ALPHA | C_DIGIT | C_DOLLAR;

/** Non-ASCII code units are identifier characters on every engine (as bytes ≥ 0x80 are in each lexer). */
function isWordPart(c: number): boolean {
  return c >= 128 ? true : (CLASS[c]! & C_WORD) !== 0;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Non-ASCII white space that `String.prototype.trim` removes (so a statement made only of it is empty). */
function isUnicodeSpace(c: number): boolean {
  return (
    c === 0xa0 ||
    c === 0xfeff ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Index just past the run of identifier characters starting at `i`. */
function skipWord(sql: string, i: number, len: number): number {
  while (i < len && isWordPart(sql.charCodeAt(i))) i++;
  return i;
}

/** Case-insensitive comparison of `sql[start, end)` with a lowercase ASCII keyword, without allocating. */
function wordIs(sql: string, start: number, end: number, keyword: string): boolean {
  if (end - start !== keyword.length) return false;
  for (let k = 0; k < keyword.length; k++) {
    // Keywords are letters only; `| 0x20` lowercases ASCII letters and maps no other word character onto one.
    if ((sql.charCodeAt(start + k) | 0x20) !== keyword.charCodeAt(k)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Regions where nothing counts
// ---------------------------------------------------------------------------------------------------------------

/**
 * Skips a quoted region whose opening quote is just before `i`. A doubled quote is an escaped quote; with
 * `backslash`, `\x` escapes any character. Returns the index just past the closing quote, or `sql.length`.
 */
function skipQuoted(sql: string, i: number, quote: number, backslash: boolean): number {
  const len = sql.length;
  if (!backslash) {
    const q = String.fromCharCode(quote);
    for (;;) {
      const j = sql.indexOf(q, i);
      if (j < 0) return len;
      if (sql.charCodeAt(j + 1) !== quote) return j + 1;
      i = j + 2;
    }
  }
  while (i < len) {
    const c = sql.charCodeAt(i);
    if (c === BACKSLASH) {
      i += 2;
    } else if (c === quote) {
      if (sql.charCodeAt(i + 1) !== quote) return i + 1;
      i += 2;
    } else {
      i++;
    }
  }
  return len;
}

/** Skips a line comment whose body starts at `i`; returns the index of the line end (or `sql.length`). */
function skipLineComment(sql: string, i: number, crEndsLine: boolean): number {
  const len = sql.length;
  if (!crEndsLine) {
    const j = sql.indexOf('\n', i);
    return j < 0 ? len : j;
  }
  while (i < len) {
    const c = sql.charCodeAt(i);
    if (c === LF || c === CR) return i;
    i++;
  }
  return len;
}

/** Set by `skipBlockComment`: whether the last block comment it skipped ran to the end unterminated. */
let blockCommentUnterminated = false;

/** Skips a block comment whose body starts at `i` (just after the opening slash-star). */
function skipBlockComment(sql: string, i: number, nested: boolean): number {
  const len = sql.length;
  blockCommentUnterminated = false;
  if (!nested) {
    const j = sql.indexOf('*/', i);
    if (j >= 0) return j + 2;
    blockCommentUnterminated = true;
    return len;
  }
  let depth = 1;
  while (i < len) {
    const c = sql.charCodeAt(i);
    if (c === STAR && sql.charCodeAt(i + 1) === SLASH) {
      i += 2;
      if (--depth === 0) return i;
    } else if (c === SLASH && sql.charCodeAt(i + 1) === STAR) {
      i += 2;
      depth++;
    } else {
      i++;
    }
  }
  blockCommentUnterminated = true;
  return len;
}

/**
 * PostgreSQL: if a dollar quote (`$$` or `$tag$`, the tag being an identifier without `$`) opens at `i`, returns the
 * index just past its closing delimiter (or `sql.length`); otherwise -1. `$1` is not a dollar quote.
 */
function skipDollarQuote(sql: string, i: number): number {
  const len = sql.length;
  let j = i + 1;
  const first = sql.charCodeAt(j);
  if (first !== DOLLAR) {
    if (!(first >= 128 || (CLASS[first]! & C_ALPHA) !== 0)) return -1; // NaN (the end) fails both
    j++;
    while (j < len) {
      const c = sql.charCodeAt(j);
      if (c >= 128 || (CLASS[c]! & (C_ALPHA | C_DIGIT)) !== 0) j++;
      else break;
    }
    if (sql.charCodeAt(j) !== DOLLAR) return -1;
  }
  const delimiter = sql.slice(i, j + 1);
  const close = sql.indexOf(delimiter, j + 1);
  return close < 0 ? len : close + delimiter.length;
}

/**
 * If a region where nothing counts opens at `i` (whose char code is `c`), returns the index just past it (or
 * `sql.length` when it is unterminated); otherwise -1. Covers quotes, comments, SQLite brackets and PostgreSQL dollar
 * quotes; PostgreSQL `E'…'` strings and MySQL executable comments are the callers' business (they need context).
 */
function skipRegion(sql: string, i: number, c: number, engine: Engine): number {
  switch (c) {
    case SQ:
      return skipQuoted(sql, i + 1, SQ, engine === 'mysql');
    case DQ:
      // PostgreSQL and SQLite: an identifier. MySQL: a string (or an identifier under ANSI_QUOTES), skipped alike.
      return skipQuoted(sql, i + 1, DQ, engine === 'mysql');
    case BACKTICK:
      return engine === 'postgres' ? -1 : skipQuoted(sql, i + 1, BACKTICK, false);
    case LBRACKET: {
      if (engine !== 'sqlite') return -1;
      const j = sql.indexOf(']', i + 1);
      return j < 0 ? sql.length : j + 1;
    }
    case DASH: {
      if (sql.charCodeAt(i + 1) !== DASH) return -1;
      if (engine === 'mysql') {
        // MySQL: `--` starts a comment only when followed by white space or a control character (or the end).
        const next = sql.charCodeAt(i + 2);
        if (i + 2 < sql.length && next > SPACE && next !== DEL) return -1;
      }
      return skipLineComment(sql, i + 2, engine === 'postgres');
    }
    case HASH:
      return engine === 'mysql' ? skipLineComment(sql, i + 1, false) : -1;
    case SLASH:
      if (sql.charCodeAt(i + 1) !== STAR) return -1;
      return skipBlockComment(sql, i + 2, engine === 'postgres');
    case DOLLAR:
      return engine === 'postgres' ? skipDollarQuote(sql, i) : -1;
    default:
      return -1;
  }
}

/** PostgreSQL `E'…'`: the word just scanned is a lone `E`/`e` and a quote follows immediately. */
function isEscapeStringPrefix(sql: string, start: number, end: number): boolean {
  if (end - start !== 1) return false;
  const c = sql.charCodeAt(start);
  return (c === UPPER_E || c === LOWER_E) && sql.charCodeAt(end) === SQ;
}

/** MySQL `/*!…*\/` (and `/*!50100 …*\/`): the server runs its content as SQL, so the lexer reads it as SQL. */
function isMysqlExecutableComment(sql: string, i: number): boolean {
  return sql.charCodeAt(i + 1) === STAR && sql.charCodeAt(i + 2) === BANG;
}

/**
 * The statement without the white space and comments in front of it, as the engine reads them (MySQL: `#` and
 * `-- ` comments; a `/*! … *\/` executable comment is SQL, so only its opening `/*!NNNNN` is dropped). Used to read a
 * statement's leading keywords.
 */
export function withoutLeadingComments(sql: string, engine: Engine): string {
  const len = sql.length;
  let i = 0;
  while (i < len) {
    const c = sql.charCodeAt(i);
    if (c <= SPACE || isUnicodeSpace(c)) {
      i++;
      continue;
    }
    if (engine === 'mysql' && c === SLASH && isMysqlExecutableComment(sql, i)) {
      i += 3;
      while (i < len && isDigit(sql.charCodeAt(i))) i++;
      continue;
    }
    if (c !== DASH && c !== HASH && c !== SLASH) break;
    const end = skipRegion(sql, i, c, engine);
    if (end < 0) break;
    i = end;
  }
  return sql.slice(i);
}

// ---------------------------------------------------------------------------------------------------------------
// Placeholders
// ---------------------------------------------------------------------------------------------------------------

/** The protocol counts parameters in 16 bits: a larger `$n` is left for PostgreSQL to reject, not a count to pad to. */
const POSTGRES_MAX_PARAMS = 65535;
/** SQLITE_MAX_VARIABLE_NUMBER's default: `?NNN` beyond it is an error the engine reports. */
const SQLITE_MAX_VARIABLE_NUMBER = 32766;

/**
 * Prepares a statement's SQL for an engine and counts its parameters.
 *
 * - PostgreSQL: a statement with any `$n` of its own is left alone and takes as many parameters as its highest `$n`.
 *   Otherwise, when parameters were given, each `?` outside literals, quoted identifiers, comments and dollar quotes
 *   becomes `$1`, `$2`, … in order, except the jsonb operators `?|` (not `?||`, which is a placeholder followed by
 *   `||`) and `?&`. `??` is the escape for a literal `?` operator (as in JDBC): it becomes a single `?`, so
 *   `data ??| ?` gives `data ?| $1` and `doc @?? ?` gives `doc @? $1`. Without parameters (`withParams` false)
 *   nothing is rewritten, so `data ? 'key'` works as written, and the count is 0.
 * - SQLite: nothing is rewritten; the count is what `sqlite3_bind_parameter_count` reports.
 * - MySQL: nothing is rewritten; the count is the number of `?`.
 */
export function bindSql(sql: string, engine: Engine, withParams: boolean): BoundSql {
  switch (engine) {
    case 'postgres':
      return bindPostgres(sql, withParams);
    case 'sqlite':
      return { sql, placeholderCount: countSqlite(sql) };
    case 'mysql':
      return { sql, placeholderCount: countMysql(sql) };
  }
}

function bindPostgres(sql: string, withParams: boolean): BoundSql {
  // Fast path: no `?` to rewrite and no `$n` to count.
  if ((!withParams || sql.indexOf('?') < 0) && sql.indexOf('$') < 0) return { sql, placeholderCount: 0 };

  const len = sql.length;
  let positional = false;
  let highest = 0;
  /** Positions of `?` placeholders (as is) and of `??` escapes (as `~position`), in order. */
  let marks: number[] | null = null;
  let i = 0;
  while (i < len) {
    const c = sql.charCodeAt(i);
    if (c >= 128) {
      i = skipWord(sql, i + 1, len);
      continue;
    }
    if ((CLASS[c]! & C_ALPHA) !== 0) {
      const start = i;
      i = skipWord(sql, i + 1, len);
      if (isEscapeStringPrefix(sql, start, i)) i = skipQuoted(sql, i + 1, SQ, true);
      continue;
    }
    if (c === QMARK) {
      const next = sql.charCodeAt(i + 1);
      if (next === QMARK) {
        if (withParams && !positional) (marks ??= []).push(~i);
        i += 2;
      } else if (next === AMP || (next === PIPE && sql.charCodeAt(i + 2) !== PIPE)) {
        i += 2; // the jsonb operators ?& and ?|
      } else {
        if (withParams && !positional) (marks ??= []).push(i);
        i++;
      }
      continue;
    }
    if (c === DOLLAR && isDigit(sql.charCodeAt(i + 1))) {
      // `$n`.
      let n = 0;
      let j = i + 1;
      while (j < len && isDigit(sql.charCodeAt(j))) {
        if (n <= POSTGRES_MAX_PARAMS) n = n * 10 + (sql.charCodeAt(j) - 0x30);
        j++;
      }
      positional = true;
      if (n <= POSTGRES_MAX_PARAMS && n > highest) highest = n;
      i = j;
      continue;
    }
    const end = skipRegion(sql, i, c, 'postgres');
    i = end < 0 ? i + 1 : end;
  }

  if (positional) return { sql, placeholderCount: highest };
  if (marks === null) return { sql, placeholderCount: 0 };
  let out = '';
  let last = 0;
  let n = 0;
  for (const mark of marks) {
    if (mark >= 0) {
      out += sql.slice(last, mark) + '$' + ++n;
      last = mark + 1;
    } else {
      const at = ~mark;
      out += sql.slice(last, at + 1); // keep the first `?` of `??`, drop the second
      last = at + 2;
    }
  }
  out += sql.slice(last);
  return { sql: out, placeholderCount: n };
}

/**
 * SQLite, as `sqlite3GetToken` and `sqlite3ExprAssignVarNumber` do it: `?` takes the next number, `?NNN` takes NNN,
 * and a named parameter (`:name`, `@name`, `$name`, and also `#name`) takes the next number the first time its exact
 * spelling appears. Names are identifier characters, with Tcl's `::` and a `(…)` suffix. The count is the highest number.
 */
function countSqlite(sql: string): number {
  if (
    sql.indexOf('?') < 0 &&
    sql.indexOf(':') < 0 &&
    sql.indexOf('@') < 0 &&
    sql.indexOf('$') < 0 &&
    sql.indexOf('#') < 0
  ) {
    return 0;
  }
  const len = sql.length;
  let count = 0;
  let names: Set<string> | null = null;
  let i = 0;
  while (i < len) {
    const c = sql.charCodeAt(i);
    if (c >= 128 || (CLASS[c]! & (C_ALPHA | C_DIGIT)) !== 0) {
      // Identifiers, keywords, and numbers with whatever identifier characters stick to them (`1$a` is one token).
      i = skipWord(sql, i + 1, len);
      continue;
    }
    switch (c) {
      case QMARK: {
        let j = i + 1;
        let n = 0;
        while (j < len && isDigit(sql.charCodeAt(j))) {
          if (n <= SQLITE_MAX_VARIABLE_NUMBER) n = n * 10 + (sql.charCodeAt(j) - 0x30);
          j++;
        }
        if (j === i + 1) count++;
        else if (n >= 1 && n <= SQLITE_MAX_VARIABLE_NUMBER && n > count) count = n;
        i = j;
        continue;
      }
      case COLON:
      case AT:
      case DOLLAR:
      case HASH: {
        const end = sqliteVariableEnd(sql, i, len);
        if (end < 0) {
          i = -end; // not a valid variable: SQLite reports a syntax error
          continue;
        }
        // `#` followed by a digit is an internal register reference, a syntax error outside nested parses.
        if (!(c === HASH && isDigit(sql.charCodeAt(i + 1)))) {
          const name = sql.slice(i, end);
          names ??= new Set();
          if (!names.has(name)) {
            names.add(name);
            count++;
          }
        }
        i = end;
        continue;
      }
    }
    const end = skipRegion(sql, i, c, 'sqlite');
    i = end < 0 ? i + 1 : end;
  }
  return count;
}

/** The end of a SQLite named variable starting at `i`; negative (`-end`) when SQLite would call it illegal. */
function sqliteVariableEnd(sql: string, i: number, len: number): number {
  let nameChars = 0;
  let j = i + 1;
  for (; j < len; j++) {
    const c = sql.charCodeAt(j);
    if (isWordPart(c)) {
      nameChars++;
    } else if (c === LPAREN && nameChars > 0) {
      // Tcl array syntax `$name(index)`: runs to `)`, and white space before it makes the token illegal.
      for (j++; j < len; j++) {
        const d = sql.charCodeAt(j);
        if (d === RPAREN) return j + 1;
        if (d < 128 && (CLASS[d]! & C_SPACE) !== 0) break;
      }
      return -j;
    } else if (c === COLON && sql.charCodeAt(j + 1) === COLON) {
      j++;
    } else {
      break;
    }
  }
  return nameChars === 0 ? -j : j;
}

function countMysql(sql: string): number {
  if (sql.indexOf('?') < 0) return 0;
  const len = sql.length;
  let count = 0;
  let inExecutableComment = false;
  let i = 0;
  while (i < len) {
    const c = sql.charCodeAt(i);
    if (c >= 128 || (CLASS[c]! & C_WORD) !== 0) {
      i = skipWord(sql, i + 1, len);
      continue;
    }
    if (c === QMARK) {
      count++;
      i++;
      continue;
    }
    if (c === SLASH && isMysqlExecutableComment(sql, i)) {
      inExecutableComment = true;
      i += 3;
      continue;
    }
    if (c === STAR && inExecutableComment && sql.charCodeAt(i + 1) === SLASH) {
      inExecutableComment = false;
      i += 2;
      continue;
    }
    const end = skipRegion(sql, i, c, 'mysql');
    i = end < 0 ? i + 1 : end;
  }
  return count;
}

// ---------------------------------------------------------------------------------------------------------------
// Statement splitting
// ---------------------------------------------------------------------------------------------------------------

// SQLite: the states of `sqlite3_complete`, which decides where a CREATE TRIGGER ends (`; END ;`).
const T_START = 0;
const T_NORMAL = 1;
const T_EXPLAIN = 2;
const T_CREATE = 3;
const T_TRIGGER = 4;
const T_SEMI = 5;
const T_END = 6;

/** `sqlite3_complete`'s transition for an unquoted word. */
function sqliteWordTransition(state: number, sql: string, start: number, end: number): number {
  switch (state) {
    case T_START:
      if (wordIs(sql, start, end, 'create')) return T_CREATE;
      if (wordIs(sql, start, end, 'explain')) return T_EXPLAIN;
      return T_NORMAL;
    case T_EXPLAIN:
      if (wordIs(sql, start, end, 'create')) return T_CREATE;
      if (
        wordIs(sql, start, end, 'explain') ||
        wordIs(sql, start, end, 'temp') ||
        wordIs(sql, start, end, 'temporary') ||
        wordIs(sql, start, end, 'trigger') ||
        wordIs(sql, start, end, 'end')
      ) {
        return T_NORMAL;
      }
      return T_EXPLAIN; // EXPLAIN QUERY PLAN CREATE TRIGGER …
    case T_CREATE:
      if (wordIs(sql, start, end, 'temp') || wordIs(sql, start, end, 'temporary')) return T_CREATE;
      if (wordIs(sql, start, end, 'trigger')) return T_TRIGGER;
      return T_NORMAL;
    case T_SEMI:
      return wordIs(sql, start, end, 'end') ? T_END : T_TRIGGER;
    case T_END:
      return T_TRIGGER;
    default:
      return state; // NORMAL and TRIGGER keep their state
  }
}

/** `sqlite3_complete`'s transition for any other token (punctuation, literal, quoted identifier). */
function sqliteOtherTransition(state: number): number {
  switch (state) {
    case T_START:
    case T_CREATE:
      return T_NORMAL;
    case T_SEMI:
    case T_END:
      return T_TRIGGER;
    default:
      return state;
  }
}

/** psql's markers for the first words of `CREATE [OR REPLACE] {FUNCTION|PROCEDURE}`. */
function psqlHeadMarker(sql: string, start: number, end: number): number {
  if (wordIs(sql, start, end, 'create')) return 0x63; // c
  if (wordIs(sql, start, end, 'function')) return 0x66; // f
  if (wordIs(sql, start, end, 'procedure')) return 0x70; // p
  if (wordIs(sql, start, end, 'or')) return 0x6f; // o
  if (wordIs(sql, start, end, 'replace')) return 0x72; // r
  return 0;
}

/**
 * Splits a script into statements on top-level `;` (not inside literals, identifiers, comments, dollar quotes, or a
 * CREATE TRIGGER … BEGIN … END body on SQLite). Trims; drops empty statements and statements that are only comments.
 * The `;` itself is not part of the statement.
 *
 * An unterminated block comment is kept as a statement on PostgreSQL and MySQL (which reject it), dropped on SQLite
 * (which accepts it).
 *
 * Per engine, it follows the engine's own client:
 * - SQLite: `sqlite3_complete`'s rule, so a CREATE [TEMP] TRIGGER runs up to `; END ;`.
 * - PostgreSQL: psql's rules: no split inside parentheses (CREATE RULE … DO (…; …)), nor inside the BEGIN … END of a
 *   `CREATE [OR REPLACE] FUNCTION|PROCEDURE … BEGIN ATOMIC … END` body (counting CASE … END inside it).
 * - MySQL: every top-level `;` splits, as in the mysql client without DELIMITER, so a stored program with a
 *   BEGIN … END body must be sent as one statement. An executable comment (`/*! … *\/`) counts as SQL.
 */
export function splitStatements(sql: string, engine: Engine): string[] {
  const sqlite = engine === 'sqlite';
  const postgres = engine === 'postgres';
  const mysql = engine === 'mysql';
  const len = sql.length;
  const statements: string[] = [];

  let start = 0;
  /** Whether the current statement has anything besides white space and comments. */
  let significant = false;
  // SQLite
  let triggerState = T_START;
  // PostgreSQL (psql)
  let parenDepth = 0;
  let beginDepth = 0;
  let wordCount = 0;
  let head0 = 0;
  let head1 = 0;
  let head2 = 0;
  let head3 = 0;
  let routineBody = false;
  // MySQL
  let inExecutableComment = false;

  let i = 0;
  while (i < len) {
    const c = sql.charCodeAt(i);

    if (c === SEMI) {
      const ends = sqlite
        ? triggerState !== T_TRIGGER && triggerState !== T_SEMI
        : postgres
          ? parenDepth === 0 && beginDepth === 0
          : !inExecutableComment;
      if (ends) {
        if (significant) {
          const statement = sql.slice(start, i).trim();
          if (statement !== '') statements.push(statement);
        }
        start = i + 1;
        significant = false;
        triggerState = T_START;
        parenDepth = 0;
        beginDepth = 0;
        wordCount = 0;
        head0 = head1 = head2 = head3 = 0;
        routineBody = false;
      } else if (sqlite) {
        triggerState = T_SEMI;
      }
      i++;
      continue;
    }

    if (c < 128 ? (CLASS[c]! & C_SPACE) !== 0 : isUnicodeSpace(c)) {
      i++;
      continue;
    }

    if (c >= 128 || (CLASS[c]! & C_ALPHA) !== 0 || (sqlite && (CLASS[c]! & C_DIGIT) !== 0)) {
      const wordStart = i;
      i = skipWord(sql, i + 1, len);
      significant = true;
      if (sqlite) {
        triggerState = sqliteWordTransition(triggerState, sql, wordStart, i);
      } else if (postgres) {
        if (isEscapeStringPrefix(sql, wordStart, i)) {
          i = skipQuoted(sql, i + 1, SQ, true);
          continue;
        }
        if (wordCount < 4) {
          const marker = psqlHeadMarker(sql, wordStart, i);
          if (wordCount === 0) head0 = marker;
          else if (wordCount === 1) head1 = marker;
          else if (wordCount === 2) head2 = marker;
          else head3 = marker;
          routineBody =
            head0 === 0x63 &&
            (head1 === 0x66 ||
              head1 === 0x70 ||
              (head1 === 0x6f && head2 === 0x72 && (head3 === 0x66 || head3 === 0x70)));
        }
        wordCount++;
        if (routineBody && parenDepth === 0) {
          if (wordIs(sql, wordStart, i, 'begin')) beginDepth++;
          else if (wordIs(sql, wordStart, i, 'case')) {
            if (beginDepth > 0) beginDepth++;
          } else if (wordIs(sql, wordStart, i, 'end')) {
            if (beginDepth > 0) beginDepth--;
          }
        }
      }
      continue;
    }

    if (mysql) {
      if (c === SLASH && isMysqlExecutableComment(sql, i)) {
        inExecutableComment = true;
        significant = true;
        i += 3;
        continue;
      }
      if (c === STAR && inExecutableComment && sql.charCodeAt(i + 1) === SLASH) {
        inExecutableComment = false;
        i += 2;
        continue;
      }
    }

    const end = skipRegion(sql, i, c, engine);
    if (end >= 0) {
      if (c !== DASH && c !== SLASH && c !== HASH) {
        // A literal or quoted identifier (comments are white space).
        significant = true;
        if (sqlite) triggerState = sqliteOtherTransition(triggerState);
      } else if (c === SLASH && blockCommentUnterminated && !sqlite) {
        // PostgreSQL and MySQL reject an unterminated block comment: keep it so the engine reports it.
        // (SQLite accepts one at the end of the text.)
        significant = true;
      }
      i = end;
      continue;
    }

    significant = true;
    if (sqlite) triggerState = sqliteOtherTransition(triggerState);
    else if (postgres) {
      if (c === LPAREN) parenDepth++;
      else if (c === RPAREN && parenDepth > 0) parenDepth--;
    }
    i++;
  }

  if (significant) {
    const statement = sql.slice(start).trim();
    if (statement !== '') statements.push(statement);
  }
  return statements;
}
