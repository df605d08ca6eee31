/**
 * The one SQL lexer: every lexical rule of the three engines, written once. It cuts SQL text into tokens (a kind and
 * the offsets `[start, end)` of its text; the text itself is sliced only by whoever needs it) and knows, per dialect:
 *
 * - strings: `'…'` with `''` everywhere; backslash escapes in MySQL strings and PostgreSQL `E'…'`; PostgreSQL
 *   dollar quotes `$$…$$` / `$tag$…$tag$`; MySQL `"…"` (a string unless ANSI_QUOTES);
 * - quoted names: `"…"` (SQLite, PostgreSQL), `` `…` `` (SQLite, MySQL), `[…]` (SQLite);
 * - comments: `--` to the line end (MySQL: only when white space or a control character follows; PostgreSQL: a CR
 *   ends the line too), `#` on MySQL, block comments (nested on PostgreSQL only), and MySQL's executable comments
 *   `/*! … *\/`, whose content is SQL;
 * - parameters: `?` on every engine, `?NNN :name @name $name #name` on SQLite, `$n` on PostgreSQL;
 * - words (unquoted identifiers and keywords) and numbers, with the identifier characters each engine lets stick to
 *   them (`a$b`, `1$a` on SQLite).
 *
 * Anything else is a one-character `Punct` token. White space is ASCII (tab, LF, VT, FF, CR, space): every engine reads
 * other characters from U+0080 up as identifier characters, so a no-break space belongs to the word around it.
 *
 * It never throws: an unterminated string, quoted name, block comment or dollar quote runs to the end of the text
 * (`unterminated` says so) and the engine reports the error. One pass over UTF-16 char codes, no regular expressions:
 * `bindSql` runs it for every statement a migration sends.
 */
import type { Engine } from '../driver.ts';

/** The kinds of token. Plain numbers, so that hot loops compare small integers. */
export const Tok = {
  /** No more tokens. */
  End: 0,
  /** White space. `SqlLexer.next` steps over it; `tokenize` lists it. */
  Space: 1,
  /** A line or block comment (not a MySQL executable comment, whose content is SQL). */
  Comment: 2,
  /** An unquoted identifier or keyword. */
  Word: 3,
  /** A quoted identifier: `"x"`, `` `x` ``, `[x]`. */
  QuotedName: 4,
  /** A string literal: `'…'`, `E'…'`, a dollar quote, a MySQL `"…"`. A prefix such as `N` or `X` is a Word before it. */
  String: 5,
  Number: 6,
  /** A parameter: `?`; on SQLite also `?NNN`, `:name`, `@name`, `$name`, `#name`; on PostgreSQL `$n`. */
  Param: 7,
  /** Any other character (operators, parentheses, `,`, `;`, `.`), or a SQLite token the engine calls illegal. */
  Punct: 8,
  /** MySQL `/*!` or `/*!NNNNN`: the text up to the matching `*\/` is SQL the server runs. */
  ExecCommentStart: 9,
  /** The `*\/` that ends a MySQL executable comment. */
  ExecCommentEnd: 10,
} as const;

export type TokenKind = (typeof Tok)[keyof typeof Tok];

/** A token as data: its kind and where its text is, `sql.slice(start, end)`. */
export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Character codes and classes

// The character codes the SQL readers compare with (placeholders.ts and sqlite-statement.ts use them too).
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const BANG = 0x21;
const DQ = 0x22;
export const HASH = 0x23;
export const DOLLAR = 0x24;
export const AMP = 0x26;
const SQ = 0x27;
export const LPAREN = 0x28;
export const RPAREN = 0x29;
const STAR = 0x2a;
const PLUS = 0x2b;
const DASH = 0x2d;
const DOT = 0x2e;
const SLASH = 0x2f;
const COLON = 0x3a;
export const SEMI = 0x3b;
export const QMARK = 0x3f;
const AT = 0x40;
const UPPER_E = 0x45;
const LBRACKET = 0x5b;
const BACKSLASH = 0x5c;
const RBRACKET = 0x5d;
const UNDERSCORE = 0x5f;
const BACKTICK = 0x60;
const LOWER_E = 0x65;
export const PIPE = 0x7c;
const DEL = 0x7f;

/** Letters and `_`: may start an unquoted identifier. */
const C_ALPHA = 1;
const C_DIGIT = 2;
/** `$`: continues an unquoted identifier on every engine (`a$b`). */
const C_DOLLAR = 4;
const C_SPACE = 8;
/** Characters that are a one-character token on every engine, whatever follows them. */
const C_PUNCT = 16;

const CLASS = new Uint8Array(128);
for (let c = 0x41; c <= 0x5a; c++) CLASS[c] = C_ALPHA;
for (let c = 0x61; c <= 0x7a; c++) CLASS[c] = C_ALPHA;
CLASS[UNDERSCORE] = C_ALPHA;
for (let c = 0x30; c <= 0x39; c++) CLASS[c] = C_DIGIT;
CLASS[DOLLAR] = C_DOLLAR;
for (let c = TAB; c <= CR; c++) CLASS[c] = C_SPACE;
CLASS[SPACE] = C_SPACE;
for (const c of '(),;=+<>!%^&|~{}]\\') CLASS[c.charCodeAt(0)] = C_PUNCT;

/** A character inside an unquoted identifier: letters, digits, `_`, `$`, and everything from U+0080 up. */
function isWordPart(c: number): boolean {
  return c < 128 ? (CLASS[c] & (C_ALPHA | C_DIGIT | C_DOLLAR)) !== 0 : true;
}

/** A character that may start an unquoted identifier on PostgreSQL and SQLite: a letter, `_`, or U+0080 and up. */
function isWordStart(c: number): boolean {
  return c < 128 ? (CLASS[c] & C_ALPHA) !== 0 : true;
}

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * The char code at `i`, or 0 past the end (no rule matches NUL). Reads stay in bounds: a single `charCodeAt` or
 * `CLASS` read past the end makes V8 slow down every later read in that function.
 */
export function codeAt(sql: string, i: number): number {
  return i < sql.length ? sql.charCodeAt(i) : 0;
}

/** Index just past the run of identifier characters starting at `i`. */
function skipWord(sql: string, i: number, len: number): number {
  while (i < len && isWordPart(sql.charCodeAt(i))) i++;
  return i;
}

/** Index just past the run of digits starting at `i`. */
function skipDigits(sql: string, i: number, len: number): number {
  while (i < len && isDigit(sql.charCodeAt(i))) i++;
  return i;
}

/**
 * Case-insensitive comparison of `sql[start, end)` with a lowercase ASCII keyword, without allocating. Keywords are
 * letters only: `| 0x20` lowercases ASCII letters and maps no other identifier character onto one.
 */
export function wordIs(sql: string, start: number, end: number, keyword: string): boolean {
  if (end - start !== keyword.length) return false;
  for (let k = 0; k < keyword.length; k++) {
    if ((sql.charCodeAt(start + k) | 0x20) !== keyword.charCodeAt(k)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// The lexer

/**
 * A cursor over the tokens of one text: `next()` moves to the next token and returns its kind; `start`, `end` and
 * `unterminated` describe it. It allocates nothing per token, for the hot paths (`nextParam()` is the placeholder
 * counters' shortcut); `tokenize` collects the tokens, white space included, for the readers that want a list.
 */
export class SqlLexer {
  /** The current token's text's offsets. */
  start = 0;
  end = 0;
  /**
   * Whether the current string, quoted name, block comment or dollar quote runs to the end of the text unclosed.
   * (Only `special` resets it: such a token is the last, so a word or punctuation never comes after one.)
   */
  unterminated = false;
  /** MySQL: whether the lexer is inside an executable comment (its `*\/` is an `ExecCommentEnd`). */
  inExecutableComment = false;
  private readonly postgres: boolean;
  private readonly mysql: boolean;
  private readonly sqlite: boolean;

  constructor(
    readonly sql: string,
    dialect: Engine,
  ) {
    this.postgres = dialect === 'postgres';
    this.mysql = dialect === 'mysql';
    this.sqlite = dialect === 'sqlite';
  }

  /** The current token's text. */
  text(): string {
    return this.sql.slice(this.start, this.end);
  }

  /** Carries on from `offset` instead of the end of the current token (a caller that read ahead). */
  resumeAt(offset: number): void {
    this.end = offset;
  }

  /**
   * Moves to the next token that is not white space and returns its kind (`Tok.End` at the end). White space is
   * the gap between one token's `end` and the next one's `start`: the hot loops never stop on it.
   */
  next(): TokenKind {
    return this.scan(false);
  }

  /** Moves to the next `Param` token and returns `Tok.Param`, or `Tok.End`: the placeholder scanners' loop. */
  nextParam(): TokenKind {
    return this.scan(true);
  }

  /**
   * The loop behind `next` and `nextParam` (a constant `paramsOnly` at each, so the engine drops the other's branches
   * when it inlines them). Small on purpose, so that it is inlined into the callers' loops: white space, words,
   * plain punctuation and `?` (most tokens) are read here, everything else in `special`. Reads stay in bounds: see
   * `codeAt`.
   */
  private scan(paramsOnly: boolean): TokenKind {
    const sql = this.sql;
    const len = sql.length;
    let i = this.end;
    for (;;) {
      let c = 0;
      for (; i < len; i++) {
        c = sql.charCodeAt(i);
        if (c >= 128 || (CLASS[c] & C_SPACE) === 0) break;
      }
      if (i >= len) return this.emitAt(Tok.End, i, i);
      if (c >= 128 || (CLASS[c] & C_ALPHA) !== 0) {
        const end = skipWord(sql, i + 1, len);
        if (end !== i + 1 || !this.opensEscapeString(c, end)) {
          if (!paramsOnly) return this.emitAt(Tok.Word, i, end);
          i = end;
          continue;
        }
      } else if ((CLASS[c] & C_PUNCT) !== 0) {
        if (!paramsOnly) return this.emitAt(Tok.Punct, i, i + 1);
        i++;
        continue;
      } else if (c === QMARK) {
        return this.emitAt(Tok.Param, i, this.sqlite ? skipDigits(sql, i + 1, len) : i + 1);
      }
      const kind = this.special(c, i);
      if (!paramsOnly || kind === Tok.Param) {
        this.start = i;
        return kind;
      }
      i = this.end;
    }
  }

  private emitAt(kind: TokenKind, start: number, end: number): TokenKind {
    this.start = start;
    this.end = end;
    return kind;
  }

  /** PostgreSQL: whether the one-letter word `c`, with a quote at `end`, is the `E` of an escape string `E'…'`. */
  private opensEscapeString(c: number, end: number): boolean {
    return (c | 0x20) === LOWER_E && this.postgres && codeAt(this.sql, end) === SQ;
  }

  /** Every token but white space, plain words and punctuation and `?`: `c` is the char code at `i`. */
  private special(c: number, i: number): TokenKind {
    const sql = this.sql;
    const len = sql.length;
    this.unterminated = false;
    if (isDigit(c)) return this.emit(Tok.Number, this.numberEnd(i, len));
    switch (c) {
      case UPPER_E:
      case LOWER_E: // `scan` reads every other word: this is PostgreSQL's `E'…'`
        return this.emit(Tok.String, this.quotedEnd(i + 2, SQ, true));
      case SQ:
        return this.emit(Tok.String, this.quotedEnd(i + 1, SQ, this.mysql));
      case DQ:
        return this.mysql
          ? this.emit(Tok.String, this.quotedEnd(i + 1, DQ, true))
          : this.emit(Tok.QuotedName, this.quotedEnd(i + 1, DQ, false));
      case BACKTICK:
        return this.postgres ? this.punct(i) : this.emit(Tok.QuotedName, this.quotedEnd(i + 1, BACKTICK, false));
      case LBRACKET: {
        if (!this.sqlite) return this.punct(i);
        const close = sql.indexOf(']', i + 1);
        if (close < 0) this.unterminated = true;
        return this.emit(Tok.QuotedName, close < 0 ? len : close + 1);
      }
      case DASH:
        return this.isLineComment(i) ? this.emit(Tok.Comment, this.lineEnd(i + 2, len)) : this.punct(i);
      case HASH:
        if (this.mysql) return this.emit(Tok.Comment, this.lineEnd(i + 1, len));
        return this.sqlite ? this.sqliteVariable(i, len) : this.punct(i);
      case SLASH:
        if (codeAt(sql, i + 1) !== STAR) return this.punct(i);
        if (this.mysql && codeAt(sql, i + 2) === BANG) {
          this.inExecutableComment = true;
          return this.emit(Tok.ExecCommentStart, skipDigits(sql, i + 3, len));
        }
        return this.emit(Tok.Comment, this.blockCommentEnd(i + 2, len));
      case STAR:
        if (this.inExecutableComment && codeAt(sql, i + 1) === SLASH) {
          this.inExecutableComment = false;
          return this.emit(Tok.ExecCommentEnd, i + 2);
        }
        return this.punct(i);
      case DOLLAR:
        if (this.postgres) return this.postgresDollar(i, len);
        if (this.sqlite) return this.sqliteVariable(i, len);
        return this.emit(Tok.Word, skipWord(sql, i + 1, len)); // MySQL: `$` starts an identifier
      case COLON:
      case AT:
        return this.sqlite ? this.sqliteVariable(i, len) : this.punct(i);
      case DOT:
        return isDigit(codeAt(sql, i + 1)) ? this.emit(Tok.Number, this.numberEnd(i, len)) : this.punct(i);
      default:
        return this.punct(i);
    }
  }

  private emit(kind: TokenKind, end: number): TokenKind {
    this.end = end;
    return kind;
  }

  private punct(i: number): TokenKind {
    return this.emit(Tok.Punct, i + 1);
  }

  /**
   * The end of a number starting at `i` (a digit, or `.` before one): digits, a fraction, an exponent, and then the
   * identifier characters stuck to it, which make one (bad) token with it on every engine (MySQL: an identifier
   * such as `1abc`). On PostgreSQL only a character that starts an identifier sticks: `1$2` is `1` and `$2`.
   */
  private numberEnd(i: number, len: number): number {
    const sql = this.sql;
    let j = skipDigits(sql, i, len);
    if (codeAt(sql, j) === DOT) j = skipDigits(sql, j + 1, len);
    const e = codeAt(sql, j) | 0x20;
    if (e === LOWER_E) {
      const sign = codeAt(sql, j + 1);
      const first = sign === PLUS || sign === DASH ? j + 2 : j + 1;
      if (isDigit(codeAt(sql, first))) j = skipDigits(sql, first + 1, len);
    }
    if (this.postgres && !isWordStart(codeAt(sql, j))) return j;
    return skipWord(sql, j, len);
  }

  /**
   * Index just past a quoted region whose opening quote is just before `i`, or the end of the text. A doubled quote
   * is an escaped quote; with `backslash`, `\x` escapes any character.
   */
  private quotedEnd(i: number, quote: number, backslash: boolean): number {
    const sql = this.sql;
    const len = sql.length;
    if (!backslash) {
      const q = quote === SQ ? "'" : quote === DQ ? '"' : '`';
      for (;;) {
        const j = sql.indexOf(q, i);
        if (j < 0) break;
        if (codeAt(sql, j + 1) !== quote) return j + 1;
        i = j + 2;
      }
    } else {
      while (i < len) {
        const c = sql.charCodeAt(i);
        if (c === BACKSLASH) {
          i += 2;
        } else if (c === quote) {
          if (codeAt(sql, i + 1) !== quote) return i + 1;
          i += 2;
        } else {
          i++;
        }
      }
    }
    this.unterminated = true;
    return len;
  }

  /** `--` at `i`: a comment, except on MySQL where white space or a control character must follow (or the end). */
  private isLineComment(i: number): boolean {
    const sql = this.sql;
    if (codeAt(sql, i + 1) !== DASH) return false;
    if (!this.mysql || i + 2 >= sql.length) return true;
    const next = sql.charCodeAt(i + 2);
    return next <= SPACE || next === DEL;
  }

  /** The index of the line end at or after `i` (not included in the comment), or the end of the text. */
  private lineEnd(i: number, len: number): number {
    const sql = this.sql;
    if (!this.postgres) {
      const j = sql.indexOf('\n', i);
      return j < 0 ? len : j;
    }
    for (; i < len; i++) {
      const c = sql.charCodeAt(i);
      if (c === LF || c === CR) return i;
    }
    return len;
  }

  /** Index just past a block comment whose body starts at `i` (nested on PostgreSQL), or the end of the text. */
  private blockCommentEnd(i: number, len: number): number {
    const sql = this.sql;
    if (!this.postgres) {
      const j = sql.indexOf('*/', i);
      if (j >= 0) return j + 2;
    } else {
      let depth = 1;
      while (i < len) {
        const c = sql.charCodeAt(i);
        if (c === STAR && codeAt(sql, i + 1) === SLASH) {
          i += 2;
          if (--depth === 0) return i;
        } else if (c === SLASH && codeAt(sql, i + 1) === STAR) {
          i += 2;
          depth++;
        } else {
          i++;
        }
      }
    }
    this.unterminated = true;
    return len;
  }

  /**
   * PostgreSQL `$`: a parameter `$n`, a dollar quote (`$$` or `$tag$`, the tag an identifier without `$`), or a
   * lone `$`.
   */
  private postgresDollar(i: number, len: number): TokenKind {
    const sql = this.sql;
    let j = i + 1;
    const first = codeAt(sql, j);
    if (isDigit(first)) return this.emit(Tok.Param, skipDigits(sql, j + 1, len));
    if (first !== DOLLAR) {
      if (!isWordStart(first)) return this.punct(i); // NaN (the end) fails too
      j++;
      while (j < len) {
        const c = sql.charCodeAt(j);
        if (c >= 128 || (CLASS[c] & (C_ALPHA | C_DIGIT)) !== 0) j++;
        else break;
      }
      if (codeAt(sql, j) !== DOLLAR) return this.punct(i);
    }
    const delimiter = sql.slice(i, j + 1);
    const close = sql.indexOf(delimiter, j + 1);
    if (close < 0) this.unterminated = true;
    return this.emit(Tok.String, close < 0 ? len : close + delimiter.length);
  }

  /**
   * A SQLite named variable (`:a`, `@a`, `$a`, `#a`) as `sqlite3GetToken` reads it: identifier characters, with Tcl's
   * `::` and a `(…)` suffix. Without a name, or with white space inside the parentheses, SQLite calls the token
   * illegal: a `Punct` over the same characters.
   */
  private sqliteVariable(i: number, len: number): TokenKind {
    const sql = this.sql;
    let nameChars = 0;
    let j = i + 1;
    for (; j < len; j++) {
      const c = sql.charCodeAt(j);
      if (isWordPart(c)) {
        nameChars++;
      } else if (c === LPAREN && nameChars > 0) {
        for (j++; j < len; j++) {
          const d = sql.charCodeAt(j);
          if (d === RPAREN) return this.emit(Tok.Param, j + 1);
          if (d < 128 && (CLASS[d] & C_SPACE) !== 0) break;
        }
        return this.emit(Tok.Punct, j);
      } else if (c === COLON && codeAt(sql, j + 1) === COLON) {
        j++;
      } else {
        break;
      }
    }
    return this.emit(nameChars === 0 ? Tok.Punct : Tok.Param, j);
  }
}

/** All the tokens of a text, white space (as `Tok.Space` tokens) and comments included. */
export function tokenize(sql: string, dialect: Engine): Token[] {
  const lexer = new SqlLexer(sql, dialect);
  const tokens: Token[] = [];
  let last = 0;
  for (let kind = lexer.next(); ; kind = lexer.next()) {
    if (lexer.start > last) tokens.push({ kind: Tok.Space, start: last, end: lexer.start });
    if (kind === Tok.End) return tokens;
    tokens.push({ kind, start: lexer.start, end: lexer.end });
    last = lexer.end;
  }
}

/** Whether a token is white space or a comment (MySQL's executable-comment delimiters included): nothing to run. */
export function isTrivia(kind: TokenKind): boolean {
  return kind === Tok.Space || kind === Tok.Comment || kind === Tok.ExecCommentStart || kind === Tok.ExecCommentEnd;
}

/**
 * The value a string literal or quoted name stands for: delimiters removed, doubled quotes undone, backslash escapes
 * (MySQL strings, PostgreSQL `E'…'`) reduced to the escaped character. Dollar quotes give their body as is.
 */
export function unquote(sql: string, start: number, end: number, dialect: Engine): string {
  let i = start;
  let open = sql.charCodeAt(i);
  if (open === DOLLAR) {
    const tagEnd = sql.indexOf('$', i + 1) + 1;
    const body = sql.slice(tagEnd, end);
    const tag = sql.slice(i, tagEnd);
    return body.endsWith(tag) ? body.slice(0, -tag.length) : body; // unterminated: the rest of the text
  }
  let backslash = dialect === 'mysql' && (open === SQ || open === DQ);
  if ((open | 0x20) === LOWER_E) {
    backslash = true;
    i++;
    open = SQ;
  }
  if (open === LBRACKET) return sql.slice(i + 1, end - 1 > i && sql.charCodeAt(end - 1) === RBRACKET ? end - 1 : end);
  let value = '';
  for (i++; i < end; i++) {
    const c = sql.charCodeAt(i);
    if (backslash && c === BACKSLASH) {
      i++;
      if (i < end) value += sql[i];
    } else if (c === open) {
      if (i + 1 >= end || sql.charCodeAt(i + 1) !== open) break;
      value += sql[i];
      i++;
    } else {
      value += sql[i];
    }
  }
  return value;
}
