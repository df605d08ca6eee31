/**
 * What the SQLite drivers read from a statement's text, with the shared lexer's SQLite rules: the statement's main
 * verb (whether its change count and last insert id are about it) and whether text is left after a statement (more
 * than one statement where one was expected). Both run for every statement sent, so they stop as soon as they know.
 */
import { LPAREN, RPAREN, SEMI, SqlLexer, Tok } from './lexer.ts';

const MAIN_VERBS = new Set(['INSERT', 'REPLACE', 'UPDATE', 'DELETE', 'SELECT', 'VALUES']);

/**
 * The main verb of one SQLite statement, upper-case: its first keyword, or for `WITH …` the first INSERT / REPLACE /
 * UPDATE / DELETE / SELECT / VALUES outside parentheses. '' when there is none.
 */
export function sqliteStatementVerb(sql: string): string {
  const lexer = new SqlLexer(sql, 'sqlite');
  let depth = 0;
  let first = true;
  for (let kind = lexer.next(); kind !== Tok.End; kind = lexer.next()) {
    if (kind === Tok.Comment) continue;
    if (kind === Tok.Word) {
      const word = lexer.text().toUpperCase();
      if (first) {
        if (word !== 'WITH') return word;
        first = false;
      } else if (depth <= 0 && MAIN_VERBS.has(word)) {
        return word;
      }
      continue;
    }
    if (kind === Tok.Punct) {
      const c = sql.charCodeAt(lexer.start);
      if (c === RPAREN) {
        depth--;
        continue;
      }
      if (c === SEMI && depth <= 0) return '';
      if (c === LPAREN) depth++;
    }
    first = false;
  }
  return '';
}

/** True when `sql` holds anything besides white space, comments and semicolons. */
export function hasSqlContent(sql: string): boolean {
  if (sql === '') return false; // what is left after the usual single statement
  const lexer = new SqlLexer(sql, 'sqlite');
  for (let kind = lexer.next(); kind !== Tok.End; kind = lexer.next()) {
    if (kind === Tok.Comment || (kind === Tok.Punct && sql.charCodeAt(lexer.start) === SEMI)) continue;
    return true;
  }
  return false;
}
