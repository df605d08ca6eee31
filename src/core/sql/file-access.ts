/**
 * Statements that would reach a file other than the database being migrated (docs/security.md): migration code is
 * untrusted, so these are refused before they reach the engine.
 *
 * - SQLite: `ATTACH` (opens or creates any file), `VACUUM INTO` (writes a copy anywhere), `load_extension(…)`,
 *   `PRAGMA temp_store_directory` / `data_store_directory`. SQLite has no dynamic SQL and triggers cannot hold these
 *   statements, so reading the text is complete.
 * - PostgreSQL: `COPY … TO/FROM 'file'` or `PROGRAM`, the server-file functions (`pg_read_file`, `lo_export`, …),
 *   `ALTER SYSTEM` (writes postgresql.auto.conf), `LOAD` (a shared library), `CREATE TABLESPACE` (a directory),
 *   `CREATE EXTENSION` of the extensions that reach files, programs or other servers (adminpack, file_fdw, dblink,
 *   postgres_fdw, the untrusted languages), and functions in C or an untrusted language. Dynamic SQL (a `DO` block)
 *   can still spell them; there the door is the role's privileges on a server, and on PGlite a virtual file system
 *   that holds nothing but its own data directory.
 * - MySQL: `SELECT … INTO OUTFILE/DUMPFILE`, `LOAD DATA`, `LOAD XML`, `LOAD_FILE(…)`, `INSTALL PLUGIN/SONAME` and
 *   `CREATE FUNCTION … SONAME` (a shared library), and `SET` of the server's log files (`general_log_file`,
 *   `slow_query_log_file`). The FILE and SUPER privileges and secure_file_priv are the server's own door; LOCAL INFILE
 *   is off in the driver.
 */
import type { Engine } from '../driver.ts';
import { LPAREN, SEMI, SqlLexer, Tok, unquote } from './lexer.ts';

/** A cheap first look: only a text containing one of these words is lexed. */
const SUSPECT: Record<Engine, RegExp> = {
  sqlite: /attach|vacuum|load_extension|_directory/i,
  postgres:
    /copy|pg_read|pg_ls_|pg_stat_file|lo_import|lo_export|pg_file_|pg_logdir|system|load|tablespace|extension|language/i,
  mysql: /outfile|dumpfile|load|install|soname|_file/i,
};

const FILE_FUNCTIONS: Record<Engine, ReadonlySet<string>> = {
  sqlite: new Set(['load_extension']),
  postgres: new Set([
    'pg_read_file',
    'pg_read_binary_file',
    'pg_ls_dir',
    'pg_stat_file',
    'pg_ls_logdir',
    'pg_ls_waldir',
    'pg_ls_tmpdir',
    'pg_ls_archive_statusdir',
    'lo_import',
    'lo_export',
    'pg_file_write',
    'pg_file_rename',
    'pg_file_unlink',
    'pg_file_sync',
    'pg_logdir_ls',
  ]),
  mysql: new Set(['load_file']),
};

/** PostgreSQL extensions and languages that reach the server's files, programs or other servers. */
const POSTGRES_OUTSIDE_EXTENSIONS = new Set([
  'adminpack',
  'file_fdw',
  'dblink',
  'postgres_fdw',
  'plpythonu',
  'plpython2u',
  'plpython3u',
  'plperlu',
  'pltclu',
]);

/** PostgreSQL function languages whose code runs outside the database's own rules: C (a shared library) and untrusted. */
const POSTGRES_OUTSIDE_LANGUAGES = new Set(['c', 'internal', ...POSTGRES_OUTSIDE_EXTENSIONS]);

/** SQLite PRAGMAs naming a directory for files. */
const SQLITE_DIRECTORY_PRAGMAS = new Set(['temp_store_directory', 'data_store_directory']);

/** MySQL server variables naming a file the server writes. */
const MYSQL_FILE_VARIABLES = new Set(['general_log_file', 'slow_query_log_file']);

/**
 * What in `sql` (one statement or a script) would reach another file, as the words to name in the error
 * (`ATTACH`, `VACUUM INTO`, `load_extension()`, …); null when nothing does.
 */
export function fileAccess(sql: string, engine: Engine): string | null {
  if (!SUSPECT[engine].test(sql)) return null;
  const lexer = new SqlLexer(sql, engine);
  const functions = FILE_FUNCTIONS[engine];
  const statement: StatementWords = { first: '', second: '', count: 0, last: '' };
  /** The word just before, when nothing came between it and the current token: a `(` after it makes a call. */
  let previousWord = '';
  for (let kind = lexer.next(); kind !== Tok.End; kind = lexer.next()) {
    if (kind === Tok.Comment) continue;
    if (kind === Tok.Punct) {
      const c = sql.charCodeAt(lexer.start);
      if (c === SEMI) Object.assign(statement, { first: '', second: '', count: 0, last: '' });
      else if (c === LPAREN && functions.has(previousWord)) return `${previousWord}()`;
      previousWord = '';
      continue;
    }
    if (kind === Tok.QuotedName || kind === Tok.Word) {
      // A quoted name, or a MySQL @variable, is a name, never a keyword.
      const quoted = kind === Tok.QuotedName || isUserVariable(sql, lexer.start, engine);
      const word = quoted ? unquote(sql, lexer.start, lexer.end, engine).toLowerCase() : lexer.text().toLowerCase();
      previousWord = word;
      const found = statementAccess(engine, statement, word, quoted);
      if (found) return found;
      if (!quoted) {
        if (statement.count === 0 || (statement.count === 1 && statement.first === 'explain')) statement.first = word;
        else if (statement.count === 1 || (statement.count === 2 && statement.first === 'explain'))
          statement.second = word;
      }
      statement.count++;
      statement.last = word;
      continue;
    }
    if (kind === Tok.String && engine === 'postgres' && isCopyTarget(statement)) return 'COPY to or from a file';
    if (kind === Tok.String && engine === 'postgres' && statement.first === 'create' && statement.last === 'language') {
      const language = unquote(sql, lexer.start, lexer.end, engine).toLowerCase();
      if (POSTGRES_OUTSIDE_LANGUAGES.has(language)) return `LANGUAGE ${language}`;
    }
    previousWord = '';
  }
  return null;
}

/** What is known of the statement being read: its first two words (after EXPLAIN), how many words, the last one. */
interface StatementWords {
  first: string;
  second: string;
  count: number;
  last: string;
}

/** `word` (a `quoted` name or not) comes next in `statement`: does it make a statement that reaches a file? */
function statementAccess(engine: Engine, statement: StatementWords, word: string, quoted: boolean): string | null {
  const { first, second, count, last } = statement;
  const leading = !quoted && (count === 0 || (count === 1 && first === 'explain'));
  if (engine === 'sqlite') {
    if (word === 'attach' && leading) return 'ATTACH';
    if (word === 'into' && first === 'vacuum') return 'VACUUM INTO';
    if (first === 'pragma' && SQLITE_DIRECTORY_PRAGMAS.has(word)) return `PRAGMA ${word}`;
  } else if (engine === 'postgres') {
    if (quoted) return first === 'create' && second === 'extension' ? postgresExtension(word, last) : null;
    if (word === 'program' && isCopyTarget(statement)) return 'COPY … PROGRAM';
    if (word === 'load' && leading) return 'LOAD';
    if (first === 'alter' && count === 1 && word === 'system') return 'ALTER SYSTEM';
    if (first === 'create' && count === 1 && word === 'tablespace') return 'CREATE TABLESPACE';
    if (first === 'create' && second === 'extension') return postgresExtension(word, last);
    if (first === 'create' && last === 'language' && POSTGRES_OUTSIDE_LANGUAGES.has(word)) return `LANGUAGE ${word}`;
  } else {
    if (quoted) return null;
    if ((word === 'outfile' || word === 'dumpfile') && last === 'into') return `INTO ${word.toUpperCase()}`;
    if (first === 'load' && count === 1 && (word === 'data' || word === 'xml')) return `LOAD ${word.toUpperCase()}`;
    if (word === 'install' && leading) return 'INSTALL';
    if (first === 'create' && word === 'soname') return 'CREATE FUNCTION … SONAME';
    if (first === 'set' && MYSQL_FILE_VARIABLES.has(word)) return `SET ${word}`;
  }
  return null;
}

/** MySQL: the word at `start` follows a single `@` (a user variable such as `@general_log_file`, not `@@global.x`). */
function isUserVariable(sql: string, start: number, engine: Engine): boolean {
  return engine === 'mysql' && sql[start - 1] === '@' && sql[start - 2] !== '@';
}

/** CREATE EXTENSION's name (the word after EXTENSION, or after IF NOT EXISTS) when it reaches outside the database. */
function postgresExtension(word: string, last: string): string | null {
  const isName = last === 'extension' || last === 'exists';
  return isName && POSTGRES_OUTSIDE_EXTENSIONS.has(word) ? `CREATE EXTENSION ${word}` : null;
}

/** A PostgreSQL COPY whose last word is TO or FROM: a string or PROGRAM next names a file or a command. */
function isCopyTarget(statement: StatementWords): boolean {
  return statement.first === 'copy' && (statement.last === 'to' || statement.last === 'from');
}
