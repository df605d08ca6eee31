/**
 * MySQL and MariaDB commit implicitly around DDL (and a few other statements): the transaction that was open is
 * committed *before* the statement runs, whether the statement then succeeds or fails (a syntax error excepted: the
 * parser stops it before anything happens). After it, with `autocommit=0`, the next statement opens a new transaction.
 * This module tells which statements do that, so the runner can say exactly what of a failed migration stays applied.
 *
 * The list follows the MySQL manual's "Statements That Cause an Implicit Commit": CREATE / ALTER / DROP / RENAME /
 * TRUNCATE (except CREATE / DROP TEMPORARY TABLE), GRANT / REVOKE, LOCK / UNLOCK TABLES, ANALYZE / CHECK / OPTIMIZE /
 * REPAIR / CACHE INDEX / LOAD INDEX, FLUSH / RESET, INSTALL / UNINSTALL, SET PASSWORD, and BEGIN / START TRANSACTION /
 * COMMIT (which end the open transaction explicitly).
 */
import { isTrivia, SqlLexer, Tok } from './lexer.ts';
import { splitStatements } from './placeholders.ts';

const COMMITTING = new Set([
  'create',
  'alter',
  'drop',
  'rename',
  'truncate',
  'grant',
  'revoke',
  'lock',
  'unlock',
  'analyze',
  'check',
  'optimize',
  'repair',
  'cache',
  'load',
  'flush',
  'reset',
  'install',
  'uninstall',
  'begin',
  'commit',
]);

/** The first words of a statement, lower-cased; comments and opening parentheses skipped (`/*! … *\/` counts as SQL). */
function headWords(statement: string, count: number): string[] {
  const words: string[] = [];
  const lexer = new SqlLexer(statement, 'mysql');
  while (words.length < count) {
    const kind = lexer.next();
    if (isTrivia(kind)) continue;
    if (kind === Tok.Punct && statement.charCodeAt(lexer.start) === 0x28 /* ( */) continue;
    if (kind !== Tok.Word) break;
    words.push(lexer.text().toLowerCase());
  }
  return words;
}

/** Whether one statement (no `;` inside) ends the open transaction on MySQL. */
export function commitsImplicitly(statement: string): boolean {
  const [first, second] = headWords(statement, 2);
  if (first === undefined) return false;
  if (first === 'start') return second === 'transaction';
  if (first === 'load') return second === 'index'; // LOAD INDEX INTO CACHE (LOAD DATA only on NDB)
  if (first === 'set') return second === 'password';
  if (first === 'lock' || first === 'unlock') return second === 'tables' || second === 'table';
  if (!COMMITTING.has(first)) return false;
  // CREATE TEMPORARY TABLE and DROP TEMPORARY TABLE stay in the transaction.
  if ((first === 'create' || first === 'drop') && second === 'temporary') return false;
  // BEGIN NOT ATOMIC … END (a MariaDB compound statement) is not BEGIN WORK.
  if (first === 'begin' && second !== undefined && second !== 'work') return false;
  // ANALYZE / CHECK / OPTIMIZE / REPAIR [NO_WRITE_TO_BINLOG | LOCAL] TABLE
  if (
    (first === 'check' || first === 'analyze' || first === 'optimize' || first === 'repair') &&
    second !== 'table' &&
    !(second === 'no_write_to_binlog' || second === 'local')
  )
    return false;
  return true;
}

/**
 * A SQL text as MySQL runs it (several statements when it has top-level `;`): its statements and the index of the
 * last one that commits implicitly, -1 when none does.
 */
export function implicitCommits(sql: string): { statements: string[]; last: number } {
  const statements = splitStatements(sql, 'mysql');
  let last = -1;
  for (let i = 0; i < statements.length; i++) if (commitsImplicitly(statements[i])) last = i;
  return { statements, last };
}

/** MySQL's "You have an error in your SQL syntax": the statement never started, so nothing was committed. */
export function isSyntaxError(code: string | undefined): boolean {
  return code === 'ER_PARSE_ERROR' || code === '1064' || code === 'ER_SYNTAX_ERROR' || code === '1149';
}
