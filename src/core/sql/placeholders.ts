/**
 * What the runner needs from a statement's SQL, read with the shared lexer (`lexer.ts`, which knows the lexical
 * rules of each engine):
 *
 * - its placeholders (to count them, and to rewrite `?` to `$1…$n` for PostgreSQL): `bindSql`;
 * - its top-level `;` (to split a script into statements): `splitStatements`, or one at a time `nextStatement`;
 * - where its first keyword is: `withoutLeadingComments`.
 *
 * None of them throws: an unterminated literal or comment runs to the end of the text, and the engine reports the
 * syntax error.
 */
import type { Engine } from '../driver.ts';
import {
  AMP,
  codeAt,
  DOLLAR,
  HASH,
  isDigit,
  isTrivia,
  LPAREN,
  PIPE,
  QMARK,
  RPAREN,
  SEMI,
  SqlLexer,
  Tok,
  wordIs,
} from './lexer.ts';

export interface BoundSql {
  /** The SQL in the engine's own placeholder form. */
  sql: string;
  /** How many parameter values the statement takes (the caller pads missing trailing ones with NULL). */
  placeholderCount: number;
}

/**
 * The statement without the white space and comments in front of it, as the engine reads them (MySQL: `#` and
 * `-- ` comments; a `/*! … *\/` executable comment is SQL, so only its delimiters are dropped). Used to read a
 * statement's leading keywords.
 */
export function withoutLeadingComments(sql: string, engine: Engine): string {
  const lexer = new SqlLexer(sql, engine);
  let kind = lexer.next();
  while (isTrivia(kind)) kind = lexer.next();
  return sql.slice(lexer.start);
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

  const lexer = new SqlLexer(sql, 'postgres');
  let positional = false;
  let highest = 0;
  /** Positions of `?` placeholders (as is) and of `??` escapes (as `~position`), in order. */
  let marks: number[] | null = null;
  while (lexer.nextParam() !== Tok.End) {
    const i = lexer.start;
    if (sql.charCodeAt(i) === DOLLAR) {
      // `$n`
      let n = 0;
      for (let j = i + 1; j < lexer.end && n <= POSTGRES_MAX_PARAMS; j++) n = n * 10 + (sql.charCodeAt(j) - 0x30);
      positional = true;
      if (n <= POSTGRES_MAX_PARAMS && n > highest) highest = n;
      continue;
    }
    // `?`: a placeholder, unless it is `??` (the escape for a literal `?`) or the jsonb operator `?&` or `?|`.
    const next = codeAt(sql, i + 1);
    if (next === QMARK) {
      if (withParams && !positional) (marks ??= []).push(~i);
      lexer.resumeAt(i + 2);
    } else if (next !== AMP && !(next === PIPE && codeAt(sql, i + 2) !== PIPE)) {
      if (withParams && !positional) (marks ??= []).push(i);
    }
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
 * SQLite, as `sqlite3ExprAssignVarNumber` does it: `?` takes the next number, `?NNN` takes NNN, and a named parameter
 * (`:name`, `@name`, `$name`, and also `#name`) takes the next number the first time its exact spelling appears. The
 * count is the highest number.
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
  const lexer = new SqlLexer(sql, 'sqlite');
  let count = 0;
  let names: Set<string> | null = null;
  while (lexer.nextParam() !== Tok.End) {
    const i = lexer.start;
    const c = sql.charCodeAt(i);
    if (c === QMARK) {
      if (lexer.end === i + 1) {
        count++;
        continue;
      }
      let n = 0;
      for (let j = i + 1; j < lexer.end && n <= SQLITE_MAX_VARIABLE_NUMBER; j++)
        n = n * 10 + (sql.charCodeAt(j) - 0x30);
      if (n >= 1 && n <= SQLITE_MAX_VARIABLE_NUMBER && n > count) count = n;
      continue;
    }
    // `#` followed by a digit is an internal register reference, a syntax error outside nested parses.
    if (c === HASH && isDigit(codeAt(sql, i + 1))) continue;
    const name = lexer.text();
    names ??= new Set();
    if (!names.has(name)) {
      names.add(name);
      count++;
    }
  }
  return count;
}

/** MySQL: the number of `?` (an executable comment's included: the server runs it). */
function countMysql(sql: string): number {
  if (sql.indexOf('?') < 0) return 0;
  const lexer = new SqlLexer(sql, 'mysql');
  let count = 0;
  while (lexer.nextParam() !== Tok.End) count++;
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
  const statements: string[] = [];
  for (let s = nextStatement(sql, engine, 0); s !== null; s = nextStatement(sql, engine, s.next)) {
    statements.push(s.sql);
  }
  return statements;
}

/** One statement of a script, as `nextStatement` finds it. */
export interface ScriptStatement {
  /** The statement, trimmed, without its `;`. */
  sql: string;
  /** Where `sql` starts in the script. */
  offset: number;
  /** Where the text after its `;` starts (the script's length for the last one). */
  next: number;
}

/**
 * The first statement of `sql` from offset `from` on, by `splitStatements`' rules (which it is the loop of), or null
 * when only white space, comments and `;` are left. A reader that must treat the text between statements itself (a
 * dump's `COPY … FROM stdin` data, psql meta-commands) calls it once per statement.
 */
export function nextStatement(sql: string, engine: Engine, from: number): ScriptStatement | null {
  const sqlite = engine === 'sqlite';
  const postgres = engine === 'postgres';
  const lexer = new SqlLexer(sql, engine);
  lexer.resumeAt(from);

  let start = from;
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

  for (let kind = lexer.next(); kind !== Tok.End; kind = lexer.next()) {
    switch (kind) {
      case Tok.ExecCommentEnd:
        continue;
      case Tok.Comment:
        // PostgreSQL and MySQL reject an unterminated block comment: keep it so the engine reports it.
        // (SQLite accepts one at the end of the text.)
        if (lexer.unterminated && !sqlite) significant = true;
        continue;
      case Tok.Word: {
        significant = true;
        const wordStart = lexer.start;
        const wordEnd = lexer.end;
        if (sqlite) {
          triggerState = sqliteWordTransition(triggerState, sql, wordStart, wordEnd);
        } else if (postgres) {
          if (wordCount < 4) {
            const marker = psqlHeadMarker(sql, wordStart, wordEnd);
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
            if (wordIs(sql, wordStart, wordEnd, 'begin')) beginDepth++;
            else if (wordIs(sql, wordStart, wordEnd, 'case')) {
              if (beginDepth > 0) beginDepth++;
            } else if (wordIs(sql, wordStart, wordEnd, 'end')) {
              if (beginDepth > 0) beginDepth--;
            }
          }
        }
        continue;
      }
      case Tok.Punct: {
        const c = sql.charCodeAt(lexer.start);
        if (c === SEMI) {
          const ends = sqlite
            ? triggerState !== T_TRIGGER && triggerState !== T_SEMI
            : postgres
              ? parenDepth === 0 && beginDepth === 0
              : !lexer.inExecutableComment;
          if (ends) {
            if (significant) {
              const found = trimmed(sql, start, lexer.start, lexer.end);
              if (found !== null) return found;
            }
            start = lexer.end;
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
          continue;
        }
        if (postgres) {
          if (c === LPAREN) parenDepth++;
          else if (c === RPAREN && parenDepth > 0) parenDepth--;
        }
        break;
      }
    }
    // Anything else: a literal, quoted name, number, parameter, operator, MySQL's `/*!`.
    significant = true;
    if (sqlite) triggerState = sqliteOtherTransition(triggerState);
  }

  return significant ? trimmed(sql, start, sql.length, sql.length) : null;
}

/** The statement in `sql[start, end)` without the white space around it; null when nothing is left. */
function trimmed(sql: string, start: number, end: number, next: number): ScriptStatement | null {
  const raw = sql.slice(start, end);
  const text = raw.trim();
  if (text === '') return null;
  return { sql: text, offset: start + raw.length - raw.trimStart().length, next };
}
