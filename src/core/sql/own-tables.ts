/**
 * Statements of migration code that would write to Moonwalk's own tables (docs/security.md): the ledger
 * (`_migrations`) and the lease table of `--lock table` (`_migrations_lock`), in any schema or database, quoted or
 * not, in any case; and the calls that would release the run lock the runner holds on the migration's own connection
 * (PostgreSQL's `pg_advisory_unlock…()` and `DISCARD ALL`, MySQL's `RELEASE_LOCK()`/`RELEASE_ALL_LOCKS()`). A
 * migration that deleted its ledger rows would run again next time; one that released the lock would let a second
 * runner in. Reads stay allowed (`SELECT … FROM _migrations`, a copy with `INSERT INTO t SELECT … FROM _migrations`).
 *
 * What is read: the text of each statement, a trigger's or a MySQL procedure's body, a PostgreSQL `DO` block's or a
 * function's body (its static SQL), and a MySQL `PREPARE … FROM '…'` literal. SQL built at run time (`EXECUTE` of a
 * concatenated string, `PREPARE` from a variable) is the server's job: see docs/security.md.
 */
import type { Engine } from '../driver.ts';
import { LEDGER_TABLE, LOCK_TABLE } from '../ledger.ts';
import { SEMI, SqlLexer, Tok, unquote } from './lexer.ts';

/** What each of Moonwalk's tables is, for the error. */
const OWN_TABLES: ReadonlyMap<string, string> = new Map([
  [LEDGER_TABLE, "Moonwalk's ledger, which only the runner writes"],
  [LOCK_TABLE, "Moonwalk's run lock table, which only the runner writes"],
]);

/** A cheap first look: only a text containing one of these is lexed (`u&` is PostgreSQL's escaped name `U&"…"`). */
const SUSPECT: Record<Engine, RegExp> = {
  sqlite: /_migrations/i,
  postgres: /_migrations|u&|unlock|discard/i,
  mysql: /_migrations|release_/i,
};

/** Functions that release the run lock, which lives on the migration's own connection. */
const UNLOCK_FUNCTIONS: Record<Engine, ReadonlySet<string>> = {
  sqlite: new Set(),
  postgres: new Set(['pg_advisory_unlock', 'pg_advisory_unlock_all', 'pg_advisory_unlock_shared']),
  mysql: new Set(['release_lock', 'release_all_locks']),
};

/** Statements whose every mention of an own table changes it (`ALTER TABLE t RENAME TO _migrations` included). */
const CHANGING_STATEMENTS = new Set(['drop', 'alter', 'truncate', 'rename', 'grant', 'revoke', 'comment']);
/** CREATE statements that read the table to write through it later (an updatable view, a rule). */
const CREATE_THROUGH = new Set(['view', 'rule']);
/**
 * Words after which a name in a CREATE statement is what a trigger, index, rule, policy or foreign key is put on. A
 * table of the same name elsewhere (TEMP, another schema) is no write: the runner reads and writes its ledger by its
 * qualified name (docs/security.md, "The ledger").
 */
const CREATE_TARGET_BEFORE = new Set(['on', 'to', 'references']);
/** Words after which a string is a name (SQLite takes `DELETE FROM '_migrations'`, MySQL does with ANSI_QUOTES). */
const NAME_BEFORE = new Set([
  ...CREATE_TARGET_BEFORE,
  'table',
  'exists',
  'into',
  'from',
  'update',
  'only',
  'join',
  'truncate',
  'rename',
]);
/** Words that may stand between DELETE, INSERT, UPDATE or MERGE and their table. */
const MODIFIERS = new Set([
  'or',
  'replace',
  'rollback',
  'abort',
  'fail',
  'ignore',
  'low_priority',
  'delayed',
  'high_priority',
  'quick',
  'into',
  'only',
  'from',
]);
/** SQLite's conflict clauses: `INSERT OR REPLACE`, `UPDATE OR IGNORE`. */
const SQLITE_CONFLICT = new Set(['replace', 'rollback', 'abort', 'fail', 'ignore']);
/** Words after which DELETE or UPDATE name an action (`ON DELETE …`, `FOR [NO KEY] UPDATE`, `DUPLICATE KEY UPDATE`). */
const ACTION_BEFORE = new Set(['on', 'for', 'key']);
/**
 * Words after DELETE, INSERT or UPDATE when they name a trigger's event (`AFTER INSERT ON`, `UPDATE OF`, `INSERT OR
 * UPDATE`) or an action (`ON DELETE CASCADE`, `DO UPDATE SET`, `FOR UPDATE NOWAIT`) rather than start a statement.
 */
const EVENT_AFTER = new Set(['on', 'or', 'of', 'cascade', 'restrict', 'no', 'set', 'nowait', 'skip']);

/** How the names of the statement being read are taken. */
const Mode = {
  /** Names are not written. */
  Read: 0,
  /** The next name is the table written (after INSERT INTO, DELETE FROM, MERGE INTO). */
  Target: 1,
  /** Every name up to SET is written (UPDATE, with MySQL's joined tables and aliases). */
  UntilSet: 2,
  /** Every name is written (DROP, ALTER, …; MySQL's multi-table DELETE). */
  All: 3,
} as const;
type Mode = (typeof Mode)[keyof typeof Mode];

/**
 * Why `sql` (one statement or a script) may not run in a migration, as the error's message: it writes to one of
 * Moonwalk's own tables or releases the run lock. null when it does neither.
 */
export function ownTableWrite(sql: string, engine: Engine): string | null {
  if (!SUSPECT[engine].test(sql)) return null;
  return new OwnTableReader(sql, engine).read();
}

class OwnTableReader {
  private readonly lexer: SqlLexer;
  private first = '';
  private count = 0;
  private previous = '';
  private mode: Mode = Mode.Read;
  /** PostgreSQL: a `U` just before `&"…"`. */
  private unicodePrefix = false;

  constructor(
    private readonly sql: string,
    private readonly engine: Engine,
  ) {
    this.lexer = new SqlLexer(sql, engine);
  }

  read(): string | null {
    const { lexer, sql, engine } = this;
    for (let kind = lexer.next(); kind !== Tok.End; kind = lexer.next()) {
      if (kind === Tok.Comment || kind === Tok.ExecCommentStart || kind === Tok.ExecCommentEnd) continue;
      if (kind === Tok.Punct) {
        const c = sql.charCodeAt(lexer.start);
        if (c === SEMI) this.startStatement();
        else if (c === 0x28 /* ( */ && UNLOCK_FUNCTIONS[engine].has(this.previous))
          return releasesLock(`${this.previous}()`);
        if (c === 0x26 /* & */ && this.unicodePrefix) {
          this.unicodePrefix = false;
          continue;
        }
        // After `schema.` the name is still to come: the word before the dot still counts (`pg_catalog.f(`).
        if (c !== 0x2e /* . */) this.previous = '';
        continue;
      }
      if (kind === Tok.String) {
        const found = this.body() ?? (NAME_BEFORE.has(this.previous) ? this.name(this.unquoted()) : null);
        if (found) return found;
        this.previous = '';
        continue;
      }
      if (kind === Tok.QuotedName) {
        const name = this.quotedName();
        const found = this.name(name);
        if (found) return found;
        this.previous = name.toLowerCase(); // `"pg_advisory_unlock_all"()` is a call too
        this.count++;
        continue;
      }
      if (kind !== Tok.Word) {
        this.previous = '';
        continue;
      }
      if (
        engine === 'postgres' &&
        lexer.end === lexer.start + 1 &&
        sql[lexer.end] === '&' &&
        /u/i.test(sql[lexer.start])
      ) {
        this.unicodePrefix = true; // U&"…": a name with escapes comes
        continue;
      }
      const word = lexer.text().toLowerCase();
      const found = this.word(word);
      if (found) return found;
      this.previous = word;
      this.count++;
    }
    return null;
  }

  private startStatement(): void {
    this.first = '';
    this.count = 0;
    this.previous = '';
    this.mode = Mode.Read;
  }

  /** An unquoted word: a keyword that changes how names are taken, or a name. */
  private word(word: string): string | null {
    if (this.count === 0) this.first = word;
    if (this.count === 0 && CHANGING_STATEMENTS.has(word)) this.mode = Mode.All;
    if (this.first === 'create' && CREATE_THROUGH.has(word)) this.mode = Mode.All;
    if (this.engine === 'postgres' && this.first === 'discard' && word === 'all') return releasesLock('DISCARD ALL');
    if (this.isStatementVerb(word)) {
      this.mode = word === 'update' ? Mode.UntilSet : Mode.Target;
      return null;
    }
    if (this.mode === Mode.UntilSet && word === 'set') {
      this.mode = Mode.Read;
      return null;
    }
    if (this.mode === Mode.Target && MODIFIERS.has(word)) return null;
    if (this.mode === Mode.Target && this.previous === 'delete' && this.engine === 'mysql') this.mode = Mode.All;
    return this.name(word);
  }

  /** DELETE, INSERT, REPLACE, UPDATE, MERGE starting a statement (anywhere: a WITH, a trigger's body, EXPLAIN). */
  private isStatementVerb(word: string): boolean {
    if (word !== 'delete' && word !== 'insert' && word !== 'update' && word !== 'replace' && word !== 'merge')
      return false;
    if (this.count > 0 && ACTION_BEFORE.has(this.previous)) return false;
    // `INSERT OR REPLACE` is read from its INSERT; REPLACE(…) is a function (no word follows).
    if (word === 'replace' && this.previous === 'or') return false;
    const [next, after] = this.peekWords();
    if (next === 'or') return after !== null && SQLITE_CONFLICT.has(after); // INSERT OR REPLACE, not INSERT OR UPDATE
    return next !== null && !EVENT_AFTER.has(next);
  }

  /**
   * The next two tokens' words, lowercased: '' for a quoted name or a string, null for anything else (or the end).
   */
  private peekWords(): [string | null, string | null] {
    const lexer = new SqlLexer(this.sql, this.engine);
    lexer.resumeAt(this.lexer.end);
    const words: Array<string | null> = [];
    for (let kind = lexer.next(); words.length < 2; kind = lexer.next()) {
      if (kind === Tok.Comment) continue;
      if (kind === Tok.Word) words.push(lexer.text().toLowerCase());
      else if (kind === Tok.QuotedName || kind === Tok.String) words.push('');
      else words.push(null);
      if (kind === Tok.End) words.push(null);
    }
    return [words[0], words[1]];
  }

  /** A name (its last part when qualified: the parts come one by one) in the current mode. */
  private name(name: string): string | null {
    const what = OWN_TABLES.get(name.toLowerCase());
    const written = this.isWritten();
    if (this.mode === Mode.Target && !this.followedByDot()) this.mode = Mode.Read;
    if (!what || !written) return null;
    return (
      `writing to ${name} is not allowed in a migration: it is ${what} ` +
      '(reading it with db:query is allowed; see docs/security.md)'
    );
  }

  /** Whether a name at this point of the statement is written. */
  private isWritten(): boolean {
    if (this.mode === Mode.Target || this.mode === Mode.UntilSet || this.mode === Mode.All) return true;
    return this.first === 'create' && CREATE_TARGET_BEFORE.has(this.previous);
  }

  private followedByDot(): boolean {
    const sql = this.sql;
    let i = this.lexer.end;
    while (i < sql.length && /\s/.test(sql[i])) i++;
    return sql.charCodeAt(i) === 0x2e;
  }

  private unquoted(): string {
    return unquote(this.sql, this.lexer.start, this.lexer.end, this.engine);
  }

  /** A quoted name's value; PostgreSQL's `U&"\005fmigrations"` with its escapes undone. */
  private quotedName(): string {
    const value = this.unquoted();
    const start = this.lexer.start;
    const escaped =
      this.engine === 'postgres' && start >= 2 && this.sql[start - 1] === '&' && /u/i.test(this.sql[start - 2]);
    if (!escaped) return value;
    const escape = /^\s*uescape\s*'(.)'/i.exec(this.sql.slice(this.lexer.end))?.[1] ?? '\\';
    return decodeUnicodeEscapes(value, escape);
  }

  /** The body of a PostgreSQL DO block or function, or a MySQL PREPARE's literal: its static SQL is read too. */
  private body(): string | null {
    const postgresBody =
      this.engine === 'postgres' && (this.first === 'do' || (this.first === 'create' && this.previous === 'as'));
    const mysqlPrepared = this.engine === 'mysql' && this.first === 'prepare' && this.previous === 'from';
    if (!postgresBody && !mysqlPrepared) return null;
    return ownTableWrite(this.unquoted(), this.engine);
  }
}

function releasesLock(what: string): string {
  return (
    `${what} is not allowed in a migration: it would release the run lock that keeps another runner from migrating ` +
    'the same database at once (see docs/security.md)'
  );
}

/** PostgreSQL's `U&` escapes: `\XXXX` and `\+XXXXXX` code points, `\\` a backslash (or another escape character). */
function decodeUnicodeEscapes(value: string, escape: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== escape) {
      out += value[i];
    } else if (value[i + 1] === escape) {
      out += escape;
      i++;
    } else if (value[i + 1] === '+') {
      out += String.fromCodePoint(parseInt(value.slice(i + 2, i + 8), 16) || 0xfffd);
      i += 7;
    } else {
      out += String.fromCodePoint(parseInt(value.slice(i + 1, i + 5), 16) || 0xfffd);
      i += 4;
    }
  }
  return out;
}
