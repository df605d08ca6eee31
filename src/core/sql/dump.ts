/**
 * Reads a SQL dump (`sqlite3 .dump`, `pg_dump` plain output) into the statements a driver can run, with the shared
 * lexer's rules for where each statement ends (`nextStatement`). What only a client understands is turned into SQL or
 * left out, as `psql` and `sqlite3` would:
 *
 * - `COPY … FROM stdin` and its data lines (pg_dump's text format, up to `\.`) become multi-row INSERTs of text
 *   literals, which PostgreSQL casts to each column's type;
 * - psql meta-commands (`\connect`, `\restrict`, …: a statement that starts with a backslash, to its line end) are
 *   skipped, and noted;
 * - the dump's own `BEGIN` / `COMMIT` are skipped: the loader runs the whole dump in one transaction of its own;
 * - on PostgreSQL, ownership and privileges (`ALTER … OWNER TO`, `GRANT`, `REVOKE`) are skipped (pg_restore's
 *   `--no-owner --no-privileges`): the playground has one user, and the dump's roles do not exist there.
 *
 * Statements are numbered as they appear (SET lines count, a COPY block is one statement, skipped ones keep their
 * number) and carry the line they start on, so that a failure says where it is in the dump.
 */
import type { Engine } from '../driver.ts';
import { SqlLexer, Tok, wordIs } from './lexer.ts';
import { nextStatement } from './placeholders.ts';

/** One statement to run, and where it came from. */
export interface DumpStatement {
  /** Its number in the dump, from 1. The INSERTs of one COPY block share the COPY's number. */
  number: number;
  /** The dump line it starts on, from 1 (for COPY data: the line of the first row it carries). */
  line: number;
  sql: string;
  /** The rows an INSERT made from COPY data carries (an INSERT of the dump itself: not counted here). */
  rows?: number;
}

export type DumpParse =
  | { ok: true; statements: DumpStatement[]; notes: string[] }
  | { ok: false; error: { message: string; statement: number; line: number } };

/**
 * Rows per INSERT made from COPY data: large enough to be quick, small enough for any engine's statement limit (a few
 * hundred kB of SQL; sql.js and PGlite take it). Each statement costs PGlite a round of its own: 100,000 rows load in
 * about 0.7× the time of 500-row INSERTs (bench suite own-database).
 */
const ROWS_PER_INSERT = 5000;

export function parseSqlDump(text: string, engine: Engine): DumpParse {
  const statements: DumpStatement[] = [];
  const lines = new LineCounter(text);
  const metaCommands: string[] = [];
  let transactionControl = 0;
  let ownership = 0;
  let number = 0;
  let pos = 0;

  for (;;) {
    const start = firstTokenAt(text, engine, pos);
    if (start >= text.length) break;
    if (text.charCodeAt(start) === BACKSLASH) {
      const end = lineEnd(text, start);
      metaCommands.push(text.slice(start, end).trim().split(/\s+/)[0]);
      pos = end;
      continue;
    }
    const found = nextStatement(text, engine, start);
    if (found === null) break;
    number++;
    const line = lines.lineOf(found.offset);
    pos = found.next;

    const copy = engine === 'postgres' ? copyFromStdin(found.sql) : null;
    if (copy !== null) {
      if (copy.unsupported) {
        return fail(`COPY … FROM stdin is read in pg_dump's text format only (no ${copy.unsupported})`, number, line);
      }
      const data = readCopyData(text, pos, lines);
      if (!data.ok) return fail(data.message, number, line);
      for (let i = 0; i < data.rows.length; i += ROWS_PER_INSERT) {
        const batch = data.rows.slice(i, i + ROWS_PER_INSERT);
        statements.push({
          number,
          line: data.lines[i],
          // OVERRIDING SYSTEM VALUE: COPY writes identity columns declared GENERATED ALWAYS, so the INSERTs must too.
          sql: `INSERT INTO ${copy.target} OVERRIDING SYSTEM VALUE VALUES ${batch.map(rowValues).join(', ')}`,
          rows: batch.length,
        });
      }
      pos = data.next;
      continue;
    }
    const kind = skipKind(found.sql, engine);
    if (kind === 'transaction') transactionControl++;
    else if (kind === 'ownership') ownership++;
    else statements.push({ number, line, sql: found.sql });
  }

  const notes: string[] = [];
  if (metaCommands.length > 0) {
    const names = [...new Set(metaCommands)].join(', ');
    notes.push(`skipped ${metaCommands.length} psql meta-command${metaCommands.length === 1 ? '' : 's'} (${names})`);
  }
  if (transactionControl > 0) notes.push("the dump's own BEGIN/COMMIT skipped: it loads as one transaction");
  if (ownership > 0) {
    notes.push(
      `skipped ${ownership} ownership and privilege statement${ownership === 1 ? '' : 's'} (OWNER TO, GRANT, REVOKE)`,
    );
  }
  return { ok: true, statements, notes };
}

function fail(message: string, statement: number, line: number): DumpParse {
  return { ok: false, error: { message, statement, line } };
}

const BACKSLASH = 0x5c;

/** The offset of the first token from `pos` on that is not white space or a comment (the text's length if none). */
function firstTokenAt(text: string, engine: Engine, pos: number): number {
  const lexer = new SqlLexer(text, engine);
  lexer.resumeAt(pos);
  for (let kind = lexer.next(); kind !== Tok.End; kind = lexer.next()) {
    if (kind !== Tok.Comment) return lexer.start;
  }
  return text.length;
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end < 0 ? text.length : end;
}

/** Line numbers of offsets that only grow: one pass over the text in all. */
class LineCounter {
  private offset = 0;
  private line = 1;
  constructor(private readonly text: string) {}

  lineOf(offset: number): number {
    for (let i = this.text.indexOf('\n', this.offset); i >= 0 && i < offset; i = this.text.indexOf('\n', i + 1)) {
      this.line++;
      this.offset = i + 1;
    }
    return this.line;
  }
}

type SkipKind = 'transaction' | 'ownership' | null;

/** Whether a statement is one the loader leaves out (see the file comment). */
function skipKind(sql: string, engine: Engine): SkipKind {
  const words = leadingWords(sql, engine, 3);
  const first = words[0] ?? '';
  if (first === 'BEGIN' || first === 'COMMIT' || (first === 'END' && words.length <= 2)) return 'transaction';
  if (first === 'START' && words[1] === 'TRANSACTION') return 'transaction';
  if (engine !== 'postgres') return null;
  if (first === 'GRANT' || first === 'REVOKE') return 'ownership';
  if (first === 'ALTER' && /\sOWNER\s+TO\s+\S+$/i.test(sql)) return 'ownership';
  return null;
}

/** The first `count` tokens of a statement that are words, upper-case, stopping at the first that is not a word. */
function leadingWords(sql: string, engine: Engine, count: number): string[] {
  const lexer = new SqlLexer(sql, engine);
  const words: string[] = [];
  for (let kind = lexer.next(); kind !== Tok.End && words.length < count; kind = lexer.next()) {
    if (kind === Tok.Comment) continue;
    if (kind !== Tok.Word) break;
    words.push(lexer.text().toUpperCase());
  }
  return words;
}

interface CopyTarget {
  /** The table and its column list as written: `public.users (id, name)`. */
  target: string;
  /** An option the reader does not support, when the COPY has one. */
  unsupported?: string;
}

/** `COPY target FROM stdin [options]`: its target, or null for any other statement (COPY TO, FROM a file). */
function copyFromStdin(sql: string): CopyTarget | null {
  const lexer = new SqlLexer(sql, 'postgres');
  let kind = lexer.next();
  if (kind !== Tok.Word || !wordIs(sql, lexer.start, lexer.end, 'copy')) return null;
  const targetStart = lexer.end;
  let depth = 0;
  for (kind = lexer.next(); kind !== Tok.End; kind = lexer.next()) {
    if (kind === Tok.Punct) {
      const c = sql[lexer.start];
      if (c === '(') depth++;
      else if (c === ')') depth--;
      continue;
    }
    if (kind !== Tok.Word || depth > 0 || !wordIs(sql, lexer.start, lexer.end, 'from')) continue;
    const target = sql.slice(targetStart, lexer.start).trim();
    if (lexer.next() !== Tok.Word || !wordIs(sql, lexer.start, lexer.end, 'stdin')) return null;
    const rest = sql.slice(lexer.end).trim();
    return rest === '' ? { target } : { target, unsupported: rest };
  }
  return null;
}

type CopyData = { ok: true; rows: (string | null)[][]; lines: number[]; next: number } | { ok: false; message: string };

/** The data lines after a COPY statement whose `;` ends at `after`: from the next line up to the `\.` line. */
function readCopyData(text: string, after: number, lines: LineCounter): CopyData {
  const rows: (string | null)[][] = [];
  const rowLines: number[] = [];
  let pos = lineEnd(text, after) + 1;
  let line = lines.lineOf(Math.min(pos, text.length));
  while (pos <= text.length) {
    if (pos >= text.length) break;
    let end = lineEnd(text, pos);
    const next = end + 1;
    if (end > pos && text.charCodeAt(end - 1) === 0x0d) end--;
    const content = text.slice(pos, end);
    if (content === '\\.') return { ok: true, rows, lines: rowLines, next };
    rows.push(content.split('\t').map(copyField));
    rowLines.push(line);
    line++;
    pos = next;
  }
  return { ok: false, message: 'its data does not end with a line \\. (the dump is cut short)' };
}

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** One field of COPY's text format: `\N` is NULL; backslash escapes as PostgreSQL reads them. */
function copyField(raw: string): string | null {
  if (raw === '\\N') return null;
  if (!raw.includes('\\')) return raw;
  return raw.replace(/\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|([\s\S]))/g, (_, octal, hex, other: string | undefined) => {
    if (octal !== undefined) return String.fromCharCode(parseInt(octal as string, 8));
    if (hex !== undefined) return String.fromCharCode(parseInt(hex as string, 16));
    return ESCAPES[other!] ?? other!;
  });
}

function rowValues(row: (string | null)[]): string {
  return `(${row.map((v) => (v === null ? 'NULL' : `'${v.replaceAll("'", "''")}'`)).join(', ')})`;
}
