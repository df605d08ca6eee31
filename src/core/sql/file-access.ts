/**
 * Statements that would reach a file other than the database being migrated (docs/security.md): migration code is
 * untrusted, so these are refused before they reach the engine.
 *
 * - SQLite: `ATTACH` (opens or creates any file), `VACUUM INTO` (writes a copy anywhere), `load_extension(…)`.
 *   SQLite has no dynamic SQL and triggers cannot hold these statements, so reading the text is complete.
 * - PostgreSQL: `COPY … TO/FROM 'file'` or `PROGRAM`, and the server-file functions (`pg_read_file`, `lo_export`, …).
 *   Dynamic SQL (a `DO` block) can still spell them; there the door is the role's privileges on a server, and on
 *   PGlite a virtual file system that holds nothing but its own data directory.
 * - MySQL: `SELECT … INTO OUTFILE/DUMPFILE`, `LOAD DATA`, `LOAD XML`, `LOAD_FILE(…)` (the FILE privilege and
 *   secure_file_priv are the server's own door; LOCAL INFILE is off in the driver).
 */
import type { Engine } from '../driver.ts';
import { LPAREN, SEMI, SqlLexer, Tok, unquote } from './lexer.ts';

/** A cheap first look: only a text containing one of these words is lexed. */
const SUSPECT: Record<Engine, RegExp> = {
  sqlite: /attach|vacuum|load_extension/i,
  postgres: /copy|pg_read|pg_ls_|pg_stat_file|lo_import|lo_export|pg_file_/i,
  mysql: /outfile|dumpfile|load/i,
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
  ]),
  mysql: new Set(['load_file']),
};

/**
 * What in `sql` (one statement or a script) would reach another file, as the words to name in the error
 * (`ATTACH`, `VACUUM INTO`, `load_extension()`, …); null when nothing does.
 */
export function fileAccess(sql: string, engine: Engine): string | null {
  if (!SUSPECT[engine].test(sql)) return null;
  const lexer = new SqlLexer(sql, engine);
  const functions = FILE_FUNCTIONS[engine];
  const statement: StatementWords = { first: '', count: 0, last: '' };
  /** The word just before, when nothing came between it and the current token: a `(` after it makes a call. */
  let previousWord = '';
  for (let kind = lexer.next(); kind !== Tok.End; kind = lexer.next()) {
    if (kind === Tok.Comment) continue;
    if (kind === Tok.Punct) {
      const c = sql.charCodeAt(lexer.start);
      if (c === SEMI) Object.assign(statement, { first: '', count: 0, last: '' });
      else if (c === LPAREN && functions.has(previousWord)) return `${previousWord}()`;
      previousWord = '';
      continue;
    }
    if (kind === Tok.QuotedName) {
      previousWord = unquote(sql, lexer.start, lexer.end, engine).toLowerCase();
      continue;
    }
    if (kind === Tok.Word) {
      const word = lexer.text().toLowerCase();
      previousWord = word;
      const found = statementAccess(engine, statement, word);
      if (found) return found;
      if (statement.count === 0 || (statement.count === 1 && statement.first === 'explain')) statement.first = word;
      statement.count++;
      statement.last = word;
      continue;
    }
    if (kind === Tok.String && engine === 'postgres' && isCopyTarget(statement)) return 'COPY to or from a file';
    previousWord = '';
  }
  return null;
}

/** What is known of the statement being read: its first word (after EXPLAIN), how many words, the last one. */
interface StatementWords {
  first: string;
  count: number;
  last: string;
}

/** `word` comes next in `statement`: does it make a statement that reaches a file? */
function statementAccess(engine: Engine, statement: StatementWords, word: string): string | null {
  const { first, count, last } = statement;
  const leading = count === 0 || (count === 1 && first === 'explain');
  if (engine === 'sqlite') {
    if (word === 'attach' && leading) return 'ATTACH';
    if (word === 'into' && first === 'vacuum') return 'VACUUM INTO';
  } else if (engine === 'postgres') {
    if (word === 'program' && isCopyTarget(statement)) return 'COPY … PROGRAM';
  } else {
    if ((word === 'outfile' || word === 'dumpfile') && last === 'into') return `INTO ${word.toUpperCase()}`;
    if (first === 'load' && count === 1 && (word === 'data' || word === 'xml')) return `LOAD ${word.toUpperCase()}`;
  }
  return null;
}

/** A PostgreSQL COPY whose last word is TO or FROM: a string or PROGRAM next names a file or a command. */
function isCopyTarget(statement: StatementWords): boolean {
  return statement.first === 'copy' && (statement.last === 'to' || statement.last === 'from');
}
