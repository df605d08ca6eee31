/**
 * The few parsers the SQLite reader needs for what no pragma reports: CHECK constraints and generated-column
 * expressions (from the CREATE TABLE text in `sqlite_schema`), and the expressions and WHERE clause of an index (from
 * its CREATE INDEX text). They read tokens from the shared lexer (`../sql/lexer.ts`) with SQLite's rules, and handle
 * nesting; they are not a SQL parser and give up quietly (return nothing) on text they do not expect.
 */
import { tokenize as lex, Tok, unquote, type Token as LexToken } from '../sql/lexer.ts';

/** A lexer token with its text (these parsers compare and copy most tokens' text). */
interface Token extends LexToken {
  text: string;
}

/** Splits SQLite SQL into tokens, white space and comments included. */
function tokenize(sql: string): Token[] {
  return lex(sql, 'sqlite').map((t) => ({ ...t, text: sql.slice(t.start, t.end) }));
}

/** The name an identifier token stands for: quotes removed and doubled quotes undone. */
function identName(token: Token): string {
  return token.kind === Tok.QuotedName ? unquote(token.text, 0, token.text.length, 'sqlite') : token.text;
}

function isPunct(token: Token | undefined, text: string): boolean {
  return token !== undefined && token.kind === Tok.Punct && token.text === text;
}

function isWord(token: Token | undefined, word: string): boolean {
  return token !== undefined && token.kind === Tok.Word && token.text.toUpperCase() === word;
}

/** Tokens without white space and comments. */
function significant(tokens: Token[]): Token[] {
  return tokens.filter((t) => t.kind !== Tok.Space && t.kind !== Tok.Comment);
}

/** The index of the `)` matching the `(` at `open`, or -1. */
function matching(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== Tok.Punct) continue;
    if (t.text === '(') depth++;
    else if (t.text === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Splits the tokens between `from` and `to` (exclusive) at commas that are not nested in parentheses. */
function splitTopLevel(tokens: Token[], from: number, to: number): Token[][] {
  const items: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (let i = from; i < to; i++) {
    const t = tokens[i];
    if (isPunct(t, '(')) depth++;
    if (isPunct(t, ')')) depth--;
    if (depth === 0 && isPunct(t, ',')) {
      items.push(current);
      current = [];
    } else current.push(t);
  }
  items.push(current);
  return items;
}

/**
 * The source text of a token run, as written, except that white space and comments outside literals become one space
 * and the ends are trimmed: `price  >  0` and `price > 0 -- positive` read the same.
 */
function textOf(tokens: readonly Token[]): string {
  let out = '';
  let pendingSpace = false;
  for (const t of tokens) {
    if (t.kind === Tok.Space || t.kind === Tok.Comment) {
      pendingSpace = out.length > 0;
      continue;
    }
    if (pendingSpace) out += ' ';
    pendingSpace = false;
    out += t.text;
  }
  return out;
}

export interface ParsedTable {
  checks: { name?: string; expression: string }[];
  /** Generated column expressions by column name. */
  generated: Map<string, { expression: string; stored: boolean }>;
  /** Column collations (`COLLATE x` in a column definition) by column name. */
  collations: Map<string, string>;
}

const TABLE_CONSTRAINT_WORDS = new Set(['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN']);
const COLUMN_CONSTRAINT_WORDS = new Set([
  'PRIMARY',
  'NOT',
  'NULL',
  'UNIQUE',
  'CHECK',
  'DEFAULT',
  'COLLATE',
  'REFERENCES',
  'GENERATED',
  'AS',
  'FOREIGN',
]);

/**
 * Parsed CREATE statements by their text. Snapshots are taken again and again of mostly the same schema (`verify`
 * takes three per migration), and the text decides the result, so each text is parsed once. Callers must treat the
 * results as read-only. Bounded: emptied when it grows past `PARSE_CACHE_LIMIT` texts.
 */
const tableCache = new Map<string, ParsedTable>();
const indexCache = new Map<string, ParsedIndex | undefined>();
const PARSE_CACHE_LIMIT = 10_000;

function cached<T>(cache: Map<string, T>, sql: string, parse: (sql: string) => T): T {
  if (cache.has(sql)) return cache.get(sql) as T;
  if (cache.size >= PARSE_CACHE_LIMIT) cache.clear();
  const parsed = parse(sql);
  cache.set(sql, parsed);
  return parsed;
}

/** CHECK constraints (table and column level, in the order written) and generated columns of a CREATE TABLE. */
export function parseCreateTable(sql: string): ParsedTable {
  return cached(tableCache, sql, parseCreateTableText);
}

function parseCreateTableText(sql: string): ParsedTable {
  const result: ParsedTable = { checks: [], generated: new Map(), collations: new Map() };
  const all = tokenize(sql);
  const sig = significant(all);
  // The column list is the first parenthesis; `CREATE TABLE t AS SELECT …` has none before AS.
  let open = -1;
  for (let i = 0; i < sig.length; i++) {
    if (isWord(sig[i], 'AS')) return result;
    if (isPunct(sig[i], '(')) {
      open = i;
      break;
    }
  }
  if (open < 0) return result;
  const close = matching(sig, open);
  if (close < 0) return result;
  // Work on all tokens (comments and spaces included) so expression text keeps its spacing.
  const openAll = all.indexOf(sig[open]);
  const closeAll = all.indexOf(sig[close]);
  for (const item of splitTopLevel(all, openAll + 1, closeAll)) {
    const itemSig = significant(item);
    if (itemSig.length === 0) continue;
    const first = itemSig[0];
    const isColumn = !(first.kind === Tok.Word && TABLE_CONSTRAINT_WORDS.has(first.text.toUpperCase()));
    const columnName = isColumn ? identName(first) : undefined;
    let pendingName: string | undefined;
    for (let i = isColumn ? 1 : 0; i < itemSig.length; i++) {
      const t = itemSig[i];
      if (isWord(t, 'CONSTRAINT') && itemSig[i + 1]) {
        pendingName = identName(itemSig[i + 1]);
        i++;
        continue;
      }
      if (isPunct(t, '(')) {
        const end = matching(itemSig, i);
        if (end < 0) break;
        const prev = itemSig[i - 1];
        const inner = item.slice(item.indexOf(t) + 1, item.indexOf(itemSig[end]));
        if (isWord(prev, 'CHECK')) {
          const check: { name?: string; expression: string } = { expression: textOf(inner) };
          if (pendingName !== undefined) check.name = pendingName;
          result.checks.push(check);
          pendingName = undefined;
        } else if (isWord(prev, 'AS') && columnName !== undefined) {
          result.generated.set(columnName, { expression: textOf(inner), stored: isWord(itemSig[end + 1], 'STORED') });
        }
        i = end;
        continue;
      }
      if (isWord(t, 'COLLATE') && columnName !== undefined && itemSig[i + 1]) {
        result.collations.set(columnName, identName(itemSig[i + 1]));
      }
      if (t.kind === Tok.Word && COLUMN_CONSTRAINT_WORDS.has(t.text.toUpperCase()) && !isWord(t, 'CHECK')) {
        pendingName = undefined;
      }
    }
  }
  return result;
}

export interface ParsedIndex {
  /** The key parts as written, without a trailing ASC/DESC. */
  parts: string[];
  predicate?: string;
}

/** The key parts and WHERE clause of a CREATE INDEX statement. */
export function parseCreateIndex(sql: string): ParsedIndex | undefined {
  return cached(indexCache, sql, parseCreateIndexText);
}

function parseCreateIndexText(sql: string): ParsedIndex | undefined {
  const all = tokenize(sql);
  const open = all.findIndex((t) => isPunct(t, '('));
  if (open < 0) return undefined;
  const close = matching(all, open);
  if (close < 0) return undefined;
  const parts = splitTopLevel(all, open + 1, close).map((item) => {
    const sig = significant(item);
    const last = sig[sig.length - 1];
    const cut = last && (isWord(last, 'ASC') || isWord(last, 'DESC')) ? item.indexOf(last) : item.length;
    return textOf(item.slice(0, cut));
  });
  const rest = all.slice(close + 1);
  const whereAt = rest.findIndex((t) => isWord(t, 'WHERE'));
  const parsed: ParsedIndex = { parts };
  if (whereAt >= 0) {
    parsed.predicate = textOf(rest.slice(whereAt + 1).filter((t) => !isPunct(t, ';')));
  }
  return parsed;
}
