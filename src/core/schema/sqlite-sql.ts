/**
 * A small tokenizer and the few parsers the SQLite reader needs for what no pragma reports: CHECK constraints and
 * generated-column expressions (from the CREATE TABLE text in `sqlite_schema`), and the expressions and WHERE clause
 * of an index (from its CREATE INDEX text). It understands literals, quoted identifiers (`"x"`, `` `x` ``, `[x]`),
 * comments and nesting; it is not a SQL parser and gives up quietly (returns nothing) on text it does not expect.
 */

export type TokenType = 'space' | 'comment' | 'string' | 'ident' | 'quoted' | 'number' | 'punct' | 'other';

export interface Token {
  type: TokenType;
  text: string;
  start: number;
  end: number;
}

/** White space as `/\s/` sees it. */
function isSpace(c: number): boolean {
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return true;
  if (c < 0x80) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
/** `[A-Za-z0-9_$]` or beyond ASCII: a character inside an identifier. */
const isIdentPart = (c: number): boolean => isAlpha(c) || isDigit(c) || c === 0x5f || c === 0x24 || c > 0x7f;

/** Splits SQL into tokens (character codes compared directly: this runs for every table of every snapshot). */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  const push = (type: TokenType, start: number, end: number): void => {
    tokens.push({ type, text: sql.slice(start, end), start, end });
  };
  while (i < n) {
    const c = sql.charCodeAt(i);
    const start = i;
    if (isSpace(c)) {
      while (i < n && isSpace(sql.charCodeAt(i))) i++;
      push('space', start, i);
    } else if (c === 0x2d /* - */ && sql.charCodeAt(i + 1) === 0x2d) {
      const close = sql.indexOf('\n', i);
      i = close < 0 ? n : close;
      push('comment', start, i);
    } else if (c === 0x2f /* / */ && sql.charCodeAt(i + 1) === 0x2a /* * */) {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      push('comment', start, i);
    } else if (c === 0x27 /* ' */ || c === 0x22 /* " */ || c === 0x60 /* ` */) {
      i++;
      while (i < n) {
        if (sql.charCodeAt(i) === c) {
          if (sql.charCodeAt(i + 1) === c) i += 2;
          else {
            i++;
            break;
          }
        } else i++;
      }
      push(c === 0x27 ? 'string' : 'quoted', start, i);
    } else if (c === 0x5b /* [ */) {
      const close = sql.indexOf(']', i + 1);
      i = close < 0 ? n : close + 1;
      push('quoted', start, i);
    } else if (isDigit(c) || (c === 0x2e /* . */ && isDigit(sql.charCodeAt(i + 1)))) {
      while (i < n) {
        const d = sql.charCodeAt(i);
        if (!(isAlpha(d) || isDigit(d) || d === 0x5f || d === 0x2e)) break;
        const next = sql.charCodeAt(i + 1);
        if ((d === 0x65 || d === 0x45) && (next === 0x2b || next === 0x2d)) i++;
        i++;
      }
      push('number', start, i);
    } else if (isAlpha(c) || c === 0x5f || c === 0x24 || c > 0x7f) {
      while (i < n && isIdentPart(sql.charCodeAt(i))) i++;
      push('ident', start, i);
    } else if (c === 0x28 || c === 0x29 || c === 0x2c || c === 0x3b || c === 0x2e) {
      i++;
      push('punct', start, i);
    } else {
      i++;
      push('other', start, i);
    }
  }
  return tokens;
}

/** The name an identifier token stands for: quotes removed and doubled quotes undone. */
export function identName(token: Token): string {
  if (token.type !== 'quoted') return token.text;
  const q = token.text[0]!;
  if (q === '[') return token.text.slice(1, -1);
  return token.text.slice(1, -1).split(q + q).join(q);
}

function isWord(token: Token | undefined, word: string): boolean {
  return token !== undefined && token.type === 'ident' && token.text.toUpperCase() === word;
}

/** Tokens without white space and comments. */
function significant(tokens: Token[]): Token[] {
  return tokens.filter((t) => t.type !== 'space' && t.type !== 'comment');
}

/** The index of the `)` matching the `(` at `open`, or -1. */
function matching(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type !== 'punct') continue;
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
    const t = tokens[i]!;
    if (t.type === 'punct' && t.text === '(') depth++;
    if (t.type === 'punct' && t.text === ')') depth--;
    if (depth === 0 && t.type === 'punct' && t.text === ',') {
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
export function textOf(tokens: readonly Token[]): string {
  let out = '';
  let pendingSpace = false;
  for (const t of tokens) {
    if (t.type === 'space' || t.type === 'comment') {
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
    if (sig[i]!.type === 'punct' && sig[i]!.text === '(') {
      open = i;
      break;
    }
  }
  if (open < 0) return result;
  const close = matching(sig, open);
  if (close < 0) return result;
  // Work on all tokens (comments and spaces included) so expression text keeps its spacing.
  const openAll = all.indexOf(sig[open]!);
  const closeAll = all.indexOf(sig[close]!);
  for (const item of splitTopLevel(all, openAll + 1, closeAll)) {
    const itemSig = significant(item);
    if (itemSig.length === 0) continue;
    const first = itemSig[0]!;
    const isColumn = !(first.type === 'ident' && TABLE_CONSTRAINT_WORDS.has(first.text.toUpperCase()));
    const columnName = isColumn ? identName(first) : undefined;
    let pendingName: string | undefined;
    for (let i = isColumn ? 1 : 0; i < itemSig.length; i++) {
      const t = itemSig[i]!;
      if (isWord(t, 'CONSTRAINT') && itemSig[i + 1]) {
        pendingName = identName(itemSig[i + 1]!);
        i++;
        continue;
      }
      if (t.type === 'punct' && t.text === '(') {
        const end = matching(itemSig, i);
        if (end < 0) break;
        const prev = itemSig[i - 1];
        const inner = item.slice(item.indexOf(t) + 1, item.indexOf(itemSig[end]!));
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
        result.collations.set(columnName, identName(itemSig[i + 1]!));
      }
      if (t.type === 'ident' && COLUMN_CONSTRAINT_WORDS.has(t.text.toUpperCase()) && !isWord(t, 'CHECK')) {
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
  const open = all.findIndex((t) => t.type === 'punct' && t.text === '(');
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
    parsed.predicate = textOf(rest.slice(whereAt + 1).filter((t) => !(t.type === 'punct' && t.text === ';')));
  }
  return parsed;
}
