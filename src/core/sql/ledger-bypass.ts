/**
 * Statements of migration code that would destroy or get around Moonwalk's ledger or run lock without naming them
 * (docs/security.md): own-tables.ts refuses what writes to `_migrations`/`_migrations_lock` by name; this refuses
 * what takes them away with something bigger, or takes away what the runner relies on to record and to hold its lock.
 *
 * - PostgreSQL: `DROP SCHEMA` of the ledger's schema, `ALTER SCHEMA <it> RENAME`, `DROP OWNED` / `REASSIGN OWNED BY`
 *   the connection's role, `pg_terminate_backend(pg_backend_pid())`, `SET SESSION AUTHORIZATION` (on PGlite it cannot
 *   be given back), and what changes the connection's `application_name` (`SET`, `RESET`, `set_config`, `RESET ALL`),
 *   by which `--lock table` tells waiting runners that the lease's owner is alive.
 * - MySQL/MariaDB: `DROP DATABASE`/`DROP SCHEMA` of the ledger's database, `SET autocommit` and `SET
 *   completion_type` (the runner owns the transaction and its COMMIT), `KILL CONNECTION_ID()`, and a stored
 *   procedure that would COMMIT, ROLLBACK or START TRANSACTION when called (an exit handler's ROLLBACK included):
 *   transaction.ts refuses those as statements of their own, not inside `IF … THEN COMMIT` or a one-statement body.
 * - SQLite: setting `PRAGMA writable_schema` or `schema_version` (a statement could then rewrite the ledger's entry in
 *   sqlite_schema, and corrupt the file).
 *
 * What stays allowed because the runner does not depend on it: `SET search_path`, `SET ROLE`, `USE other_db`, the
 * timeouts (the ledger is read and written by the name it was resolved to before any migration ran, the row is written
 * after `RESET ROLE`, and the session is put back after each migration); `DROP SCHEMA`/`DATABASE` of anything else.
 * Bodies are read as own-tables.ts reads them: a PostgreSQL `DO` block's or function's static SQL, a MySQL
 * procedure's or trigger's statements, a `PREPARE … FROM '…'` literal. SQL built at run time is the server's job.
 */
import type { Engine } from '../driver.ts';
import { SqlLexer, Tok, unquote } from './lexer.ts';

/** Where the ledger lives on the migration's connection, resolved before any migration ran (src/core/ledger.ts). */
export interface LedgerHome {
  /** PostgreSQL: the ledger's schema; MySQL: its database; '' on SQLite or when there is none. */
  schema: string;
  /**
   * PostgreSQL: the roles that own the ledger and the lock table, or would own them once the runner creates them: the
   * connection's session_user and current_user as the run started (a URL's `options=-c role=…` makes them differ) and
   * the tables' owners; empty elsewhere.
   */
  roles: readonly string[];
  /** The ledger as messages name it (`public._migrations`). */
  label: string;
}

/** A cheap first look: only a text containing one of these is lexed. */
const SUSPECT: Record<Engine, RegExp> = {
  sqlite: /writable_schema|schema_version/i,
  postgres: /schema|owned|pg_terminate_backend|authorization|application_name|reset/i,
  mysql: /database|schema|autocommit|completion_type|connection_id|procedure/i,
};

/** Words after which a word starts a statement: a body's `BEGIN`, a branch, MySQL's `DO` of an event. */
const STATEMENT_OPENERS = new Set(['begin', 'then', 'else', 'do', 'loop', 'repeat']);
/** PostgreSQL's words for the connection's own role. */
const OWN_ROLE_WORDS = new Set(['current_user', 'session_user', 'current_role']);
/** PostgreSQL settings a migration may not change (see postgresSet). */
const POSTGRES_KEPT_SETTINGS = new Set(['application_name', 'session_authorization']);
/** MySQL session variables that change what the runner's transaction does. */
const MYSQL_TRANSACTION_VARIABLES = new Set(['autocommit', 'completion_type']);
/** SQLite PRAGMAs whose setting lets a statement rewrite the schema table. */
const SQLITE_SCHEMA_PRAGMAS = new Set(['writable_schema', 'schema_version']);

const SEE = ' (see docs/security.md)';

/** One token that matters: a word (lower-cased), a quoted name or string (its value), or a punctuation character. */
interface Item {
  kind: 'word' | 'name' | 'string' | 'punct' | 'other';
  value: string;
}

/**
 * Why `sql` (one statement or a script) may not run in a migration, as the error's message: it would destroy or get
 * around the ledger or the run lock. null when it does neither. `home` is where the ledger is (null: not known yet,
 * so only what does not depend on it is refused).
 */
export function ledgerBypass(sql: string, engine: Engine, home: LedgerHome | null): string | null {
  if (!SUSPECT[engine].test(sql)) return null;
  return new BypassReader(items(sql, engine), engine, home).read();
}

function items(sql: string, engine: Engine): Item[] {
  const lexer = new SqlLexer(sql, engine);
  const list: Item[] = [];
  for (let kind = lexer.next(); kind !== Tok.End; kind = lexer.next()) {
    if (kind === Tok.Comment || kind === Tok.ExecCommentStart || kind === Tok.ExecCommentEnd) continue;
    if (kind === Tok.Word) list.push({ kind: 'word', value: lexer.text().toLowerCase() });
    else if (kind === Tok.QuotedName) list.push({ kind: 'name', value: unquote(sql, lexer.start, lexer.end, engine) });
    else if (kind === Tok.String) list.push({ kind: 'string', value: unquote(sql, lexer.start, lexer.end, engine) });
    else if (kind === Tok.Punct) list.push({ kind: 'punct', value: lexer.text() });
    else list.push({ kind: 'other', value: lexer.text() });
  }
  return list;
}

class BypassReader {
  /** The first word of the statement being read. */
  private first = '';
  /** MySQL: a CREATE PROCEDURE came; the rest of the text is read as its body (it holds `;` of its own). */
  private inProcedure = false;

  constructor(
    private readonly list: Item[],
    private readonly engine: Engine,
    private readonly home: LedgerHome | null,
  ) {}

  read(): string | null {
    for (let i = 0; i < this.list.length; i++) {
      if (this.word(i) !== '' && this.startsStatement(i)) this.first = this.word(i);
      const found =
        this.engine === 'postgres' ? this.postgres(i) : this.engine === 'mysql' ? this.mysql(i) : this.sqlite(i);
      if (found) return found;
    }
    return null;
  }

  private word(i: number): string {
    const item = this.list[i];
    return item?.kind === 'word' ? item.value : '';
  }

  private punct(i: number): string {
    const item = this.list[i];
    return item?.kind === 'punct' ? item.value : '';
  }

  /** A name: an unquoted word or a quoted name ('' for anything else). */
  private name(i: number): string {
    const item = this.list[i];
    return item?.kind === 'word' || item?.kind === 'name' ? item.value : '';
  }

  private startsStatement(i: number): boolean {
    if (i === 0) return true;
    return this.punct(i - 1) === ';' || STATEMENT_OPENERS.has(this.word(i - 1));
  }

  /** Whether `name` is the ledger's schema (PostgreSQL) or database (MySQL). */
  private isHome(name: string): boolean {
    return this.home !== null && this.home.schema !== '' && name.toLowerCase() === this.home.schema.toLowerCase();
  }

  /** The names of a list `a, b, c` starting at `i`, after an optional IF EXISTS. */
  private names(i: number): string[] {
    if (this.word(i) === 'if' && this.word(i + 1) === 'exists') i += 2;
    const names: string[] = [];
    for (; this.name(i) !== ''; i += 2) {
      names.push(this.name(i));
      if (this.punct(i + 1) !== ',') break;
    }
    return names;
  }

  /** The index of the `)` closing the `(` at `open`, or the end. */
  private closing(open: number): number {
    let depth = 0;
    for (let i = open; i < this.list.length; i++) {
      const p = this.punct(i);
      if (p === '(') depth++;
      else if (p === ')' && --depth === 0) return i;
      else if (p === ';') return i;
    }
    return this.list.length;
  }

  /** The index of the `;` ending the statement at `i`, or the end. */
  private statementEnd(i: number): number {
    while (i < this.list.length && this.punct(i) !== ';') i++;
    return i;
  }

  /** A body whose static SQL runs later: a PostgreSQL DO block or function, a MySQL PREPARE's literal. */
  private body(i: number): string | null {
    const item = this.list[i];
    if (item.kind !== 'string') return null;
    const previous = this.word(i - 1);
    const isBody =
      this.engine === 'postgres'
        ? this.first === 'do' || (this.first === 'create' && previous === 'as')
        : this.first === 'prepare' && previous === 'from';
    return isBody ? ledgerBypass(item.value, this.engine, this.home) : null;
  }

  private postgres(i: number): string | null {
    const word = this.word(i);
    if (word === '') return this.body(i);
    const next = this.word(i + 1);
    if (word === 'drop' && next === 'schema') {
      const gone = this.names(i + 2).find((name) => this.isHome(name));
      if (gone !== undefined) return dropsHome(`DROP SCHEMA ${gone}`, 'schema', this.home!);
    }
    if (word === 'alter' && next === 'schema' && this.isHome(this.name(i + 2)) && this.word(i + 3) === 'rename') {
      return (
        `ALTER SCHEMA ${this.name(i + 2)} RENAME is not allowed in a migration: it would move Moonwalk's ledger ` +
        `(${this.home!.label}) away from where the runner records each migration. Move the tables you mean to ` +
        `move instead (ALTER TABLE … SET SCHEMA …)${SEE}`
      );
    }
    if ((word === 'drop' || word === 'reassign') && next === 'owned' && this.word(i + 2) === 'by') {
      const role = this.names(i + 3).find((name) => OWN_ROLE_WORDS.has(name) || this.isOwnRole(name));
      if (role !== undefined) return ownedBy(word, role);
    }
    if (word === 'pg_terminate_backend' && this.punct(i + 1) === '(') {
      const end = this.closing(i + 1);
      for (let k = i + 2; k < end; k++) if (this.word(k) === 'pg_backend_pid') return endsOwnConnection(word + '()');
    }
    if (word === 'set_config' && this.punct(i + 1) === '(') {
      const setting = this.list[i + 2];
      if (setting?.kind === 'string' && POSTGRES_KEPT_SETTINGS.has(setting.value.toLowerCase()))
        return keptSetting(`set_config('${setting.value}', …)`, setting.value.toLowerCase());
    }
    if (this.startsStatement(i) && word === 'set') return this.postgresSet(i + 1);
    if (this.startsStatement(i) && word === 'reset') {
      if (next === 'all') {
        return (
          "RESET ALL is not allowed in a migration: it would also reset the connection's application_name, by which " +
          'a runner holding a lease in the lock table shows waiting runners that it is alive. RESET the settings you ' +
          'changed by name ' +
          `(RESET lock_timeout): the runner puts the whole session back after each migration anyway${SEE}`
        );
      }
      if (POSTGRES_KEPT_SETTINGS.has(next)) return keptSetting(`RESET ${next}`, next);
    }
    return null;
  }

  /** `SET [SESSION | LOCAL] …` from `i`: the settings the runner keeps for itself. */
  private postgresSet(i: number): string | null {
    const scope = this.word(i);
    if (scope === 'session' || scope === 'local') i++;
    const word = this.word(i);
    const authorization =
      word === 'session_authorization' ||
      (scope === 'session' && word === 'authorization') ||
      (word === 'session' && this.word(i + 1) === 'authorization');
    if (authorization) {
      const value = this.word(word === 'session' ? i + 2 : i + 1);
      return value === 'default' ? null : keptSetting('SET SESSION AUTHORIZATION', 'session_authorization');
    }
    return POSTGRES_KEPT_SETTINGS.has(word) ? keptSetting(`SET ${word}`, word) : null;
  }

  private isOwnRole(name: string): boolean {
    return this.home !== null && this.home.roles.includes(name);
  }

  private mysql(i: number): string | null {
    const word = this.word(i);
    if (word === '') return this.body(i);
    const next = this.word(i + 1);
    if (word === 'procedure' && this.first === 'create') this.inProcedure = true;
    if (this.inProcedure && this.endsTransaction(i)) {
      return (
        `${word.toUpperCase()} in a stored procedure is not allowed in a migration: a CALL of it would end the ` +
        "runner's transaction behind its back, committing or undoing the migration's statements apart from its " +
        'ledger row. Leave transactions to the runner: db:savepoint and db:rollback_to undo part of a migration, an ' +
        `error (error("why")) all of it${SEE}`
      );
    }
    if (word === 'drop' && (next === 'database' || next === 'schema')) {
      const [name] = this.names(i + 2);
      if (name !== undefined && this.isHome(name))
        return dropsHome(`DROP ${next.toUpperCase()} ${name}`, 'database', this.home!);
    }
    if (!this.startsStatement(i)) return null;
    if (word === 'set') {
      const end = this.statementEnd(i);
      for (let k = i + 1; k < end; k++) {
        const name = this.word(k);
        const assigned = this.punct(k + 1) === '=' || this.punct(k + 1) === ':';
        if (assigned && MYSQL_TRANSACTION_VARIABLES.has(name)) return transactionVariable(name);
      }
    }
    if (word === 'kill' && next !== 'query') {
      const end = this.statementEnd(i);
      for (let k = i + 1; k < end; k++)
        if (this.word(k) === 'connection_id') return endsOwnConnection('KILL CONNECTION_ID()');
    }
    return null;
  }

  /** MySQL: COMMIT, ROLLBACK (not ROLLBACK TO a savepoint), START TRANSACTION or XA, as a word of a body. */
  private endsTransaction(i: number): boolean {
    const word = this.word(i);
    if (word === 'commit' || word === 'xa') return true;
    if (word === 'start') return this.word(i + 1) === 'transaction';
    if (word !== 'rollback') return false;
    const next = this.word(i + 1) === 'work' ? this.word(i + 2) : this.word(i + 1);
    return next !== 'to';
  }

  private sqlite(i: number): string | null {
    if (this.word(i) !== 'pragma') return null;
    let k = i + 1;
    if (this.punct(k + 1) === '.') k += 2; // PRAGMA main.writable_schema
    const pragma = this.word(k);
    const setting = this.punct(k + 1) === '=' || this.punct(k + 1) === '(';
    if (!SQLITE_SCHEMA_PRAGMAS.has(pragma) || !setting) return null;
    return (
      `setting PRAGMA ${pragma} is not allowed in a migration: it lets statements rewrite sqlite_schema, where ` +
      "Moonwalk's ledger is defined, and can corrupt the database file. Change tables with ALTER TABLE, or rebuild " +
      `one (CREATE TABLE new …, INSERT INTO new SELECT …, DROP TABLE old, ALTER TABLE new RENAME TO old)${SEE}`
    );
  }
}

function dropsHome(statement: string, what: 'schema' | 'database', home: LedgerHome): string {
  return (
    `${statement} is not allowed in a migration: the ${what} holds Moonwalk's ledger (${home.label}), which would go ` +
    'with it, so every migration would run again next time. Drop the objects you mean by name instead; to start a ' +
    `development database afresh, drop and create it outside the migrations, then run moonwalk up${SEE}`
  );
}

function ownedBy(verb: 'drop' | 'reassign', role: string): string {
  const [what, instead] =
    verb === 'drop'
      ? ['drop everything', 'Drop the objects you mean by name instead']
      : ['give another role everything', 'Change the owner of the objects you mean instead (ALTER TABLE … OWNER TO …)'];
  return (
    `${verb.toUpperCase()} OWNED BY ${role} is not allowed in a migration: it would ${what} the connection's role ` +
    `owns, Moonwalk's ledger included. ${instead}${SEE}`
  );
}

function endsOwnConnection(what: string): string {
  return (
    `${what} on the migration's own connection is not allowed in a migration: it would end the connection, release ` +
    'the run lock and leave the migration half done and unrecorded. To stop a migration, raise an error ' +
    `(error("why")): its transaction is rolled back${SEE}`
  );
}

function keptSetting(statement: string, setting: string): string {
  if (setting === 'application_name') {
    return (
      `${statement} is not allowed in a migration: with a lease in the lock table, the connection's application_name ` +
      'is how waiting runners see that this one is alive, so changing it could let a second runner in. Name the ' +
      `connection in the database URL instead (?application_name=…)${SEE}`
    );
  }
  return (
    `${statement} is not allowed in a migration: it changes who the connection is for the rest of the run (PGlite ` +
    "cannot give it back), and the runner writes its ledger as the connection's own role. Use SET ROLE (or SET " +
    `LOCAL ROLE) instead: the runner resets it before its ledger write${SEE}`
  );
}

function transactionVariable(name: string): string {
  const why =
    name === 'autocommit'
      ? 'it would commit the statements before it, or leave the ledger write uncommitted'
      : "it changes what the runner's COMMIT does (start another transaction, or end the connection and its run lock)";
  return (
    `SET ${name} is not allowed in a migration: the runner owns the migration's transaction, and ${why}. A ` +
    `migration that must run outside a transaction sets options{ transaction = false }${SEE}`
  );
}
