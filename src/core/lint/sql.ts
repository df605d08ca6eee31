/**
 * A deliberately small statement classifier for the linter. It does not validate SQL; it only finds the keywords the
 * checks care about, in tokens from the shared lexer (`../sql/lexer.ts`, which skips comments, string literals,
 * dollar quotes and quoted identifiers as each engine does), and keeps, for every token, the Lua source line it came
 * from.
 */
import type { Engine } from '../driver.ts';
import { SqlLexer, Tok, unquote, type TokenKind } from '../sql/lexer.ts';
import { lineAt, type SqlText } from './sql-text.ts';

/** A name standing in for a Lua expression spliced into the SQL (a variable, a call…): its value is unknown. */
export const LUA_EXPR = '__lua_expr__';

export interface SqlToken {
  kind: 'word' | 'qident' | 'string' | 'number' | 'punct';
  /**
   * The word, number, punctuation or parameter (a `punct` too) as written; for quoted identifiers and strings the
   * name or value they stand for.
   */
  text: string;
  /** Upper-cased `text`, for keyword comparisons. */
  upper: string;
  line: number;
}

/**
 * The lexical rules to read a block's SQL with: its engine's, or where the block names no engine the lint knows,
 * PostgreSQL's (the closest to standard SQL).
 */
function dialectOf(engine: string | null): Engine {
  return engine === 'sqlite' || engine === 'mysql' ? engine : 'postgres';
}

/**
 * The lint's kind for a lexer token, or null for what it skips (white space, comments, MySQL's executable-comment
 * delimiters: their content is SQL). A MySQL `"…"` is read as a name, as under ANSI_QUOTES.
 */
function lintKind(kind: TokenKind, first: string): SqlToken['kind'] | null {
  switch (kind) {
    case Tok.Word:
      return 'word';
    case Tok.QuotedName:
      return 'qident';
    case Tok.String:
      return first === '"' ? 'qident' : 'string';
    case Tok.Number:
      return 'number';
    case Tok.Param:
    case Tok.Punct:
      return 'punct';
    default:
      return null;
  }
}

/** Tokenizes SQL with the lexical rules of `engine` (see `dialectOf`). */
function tokenize(sql: SqlText, engine: string | null): SqlToken[] {
  const s = sql.text;
  const dialect = dialectOf(engine);
  const lexer = new SqlLexer(s, dialect);
  const out: SqlToken[] = [];
  for (let kind = lexer.next(); kind !== Tok.End; kind = lexer.next()) {
    const { start, end } = lexer;
    const lint = lintKind(kind, s[start]);
    if (lint === null) continue;
    const text = lint === 'qident' || lint === 'string' ? unquote(s, start, end, dialect) : s.slice(start, end);
    out.push({ kind: lint, text, upper: text.toUpperCase(), line: lineAt(sql, start) });
  }
  return out;
}

export const isName = (t: SqlToken | undefined): t is SqlToken =>
  t !== undefined && (t.kind === 'word' || t.kind === 'qident');
/**
 * Is `t` the keyword `a` (or `b`, `c`, `d`)? Fixed parameters rather than `...words`: this runs several times per
 * token, and an array per call was a large share of the garbage a lint of a thousand files made.
 */
export const isWord = (t: SqlToken | undefined, a: string, b?: string, c?: string, d?: string): boolean =>
  t !== undefined && t.kind === 'word' && (t.upper === a || t.upper === b || t.upper === c || t.upper === d);
export const isPunct = (t: SqlToken | undefined, p: string): boolean =>
  t !== undefined && t.kind === 'punct' && t.text === p;
/** Does any of `tokens` read as the keyword `a` (or `b`)? */
export function hasWord(tokens: readonly SqlToken[], a: string, b?: string): boolean {
  for (const t of tokens) if (isWord(t, a, b)) return true;
  return false;
}

/** Words after which END closes that block, not a BEGIN or CASE. */
const END_OF_OTHER = new Set(['IF', 'LOOP', 'WHILE', 'REPEAT', 'FOR']);

/**
 * Splits tokens into statements at `;`, keeping `BEGIN … END` bodies of CREATE TRIGGER / FUNCTION / PROCEDURE
 * (and `CASE … END` inside them) together.
 */
function splitStatements(tokens: SqlToken[]): SqlToken[][] {
  const statements: SqlToken[][] = [];
  let current: SqlToken[] = [];
  let block = 0;
  /** CREATE with TRIGGER, FUNCTION, PROCEDURE or EVENT among its next seven words: a body with BEGIN … END may follow. */
  let routine = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'punct' && t.text === ';' && block === 0) {
      if (current.length > 0) statements.push(current);
      current = [];
      routine = false;
      continue;
    }
    if (routine && t.kind === 'word') {
      if (t.upper === 'BEGIN' || t.upper === 'CASE') block++;
      else if (t.upper === 'END' && block > 0) {
        const after = tokens[i + 1];
        const closesOther = after?.kind === 'word' && END_OF_OTHER.has(after.upper);
        if (!closesOther) block--;
      }
    }
    current.push(t);
    const at = current.length - 1;
    if (!routine && at >= 1 && at <= 7 && isWord(t, 'TRIGGER', 'FUNCTION', 'PROCEDURE', 'EVENT'))
      routine = isWord(current[0], 'CREATE');
  }
  if (current.length > 0) statements.push(current);
  return statements;
}

interface ColumnChange {
  column: string;
  line: number;
}

export interface StatementInfo {
  line: number;
  kind:
    | 'create-table'
    | 'create-index'
    | 'create-other'
    | 'alter-table'
    | 'drop-table'
    | 'drop-other'
    | 'rename-table'
    | 'transaction'
    | 'other';
  /** True for schema changes (CREATE, ALTER, DROP, RENAME). */
  ddl: boolean;
  /** The objects the statement changes, lower-cased, schema prefix removed; `LUA_EXPR` where unknown. */
  objects: string[];
  /** CREATE TABLE / INDEX … IF NOT EXISTS. */
  ifNotExists: boolean;
  /** Table renames `[from, to]` (ALTER TABLE a RENAME TO b, RENAME TABLE a TO b). */
  renames: Array<[string, string]>;
  dropColumns: ColumnChange[];
  /** ADD COLUMN … NOT NULL without a DEFAULT (nor a generated / serial / identity value). */
  addNotNull: ColumnChange[];
  /** For `transaction`: the statement's leading keywords, e.g. `COMMIT` or `START TRANSACTION`. */
  keyword: string;
  /** The statement's tokens, for the rules that read more than the above (lock-safety.ts). */
  tokens: SqlToken[];
}

/** A cursor over one statement's tokens. */
class Cursor {
  constructor(
    readonly tokens: SqlToken[],
    public i = 0,
  ) {}
  peek(k = 0): SqlToken | undefined {
    return this.tokens[this.i + k];
  }
  /** Consumes the keyword sequence `a` (`b`, `c`) if it is next. */
  accept(a: string, b?: string, c?: string): boolean {
    if (!isWord(this.peek(), a)) return false;
    if (b !== undefined && !isWord(this.peek(1), b)) return false;
    if (c !== undefined && !isWord(this.peek(2), c)) return false;
    this.i += c !== undefined ? 3 : b !== undefined ? 2 : 1;
    return true;
  }
  /** Reads a possibly schema-qualified name; returns its last part, lower-cased. */
  name(): string | null {
    let t = this.peek();
    if (!isName(t)) return null;
    let last = t;
    this.i++;
    while (isPunct(this.peek(), '.') && isName(this.peek(1))) {
      t = this.peek(1)!;
      last = t;
      this.i += 2;
    }
    return last.text.toLowerCase();
  }
}

/** Splits tokens at top-level commas. */
function splitCommas(tokens: SqlToken[]): SqlToken[][] {
  const parts: SqlToken[][] = [];
  let current: SqlToken[] = [];
  let depth = 0;
  for (const t of tokens) {
    if (isPunct(t, '(')) depth++;
    else if (isPunct(t, ')')) depth--;
    if (depth === 0 && isPunct(t, ',')) {
      parts.push(current);
      current = [];
      continue;
    }
    current.push(t);
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

const NOT_A_COLUMN = new Set([
  'CONSTRAINT',
  'PRIMARY',
  'UNIQUE',
  'FOREIGN',
  'CHECK',
  'INDEX',
  'KEY',
  'FULLTEXT',
  'SPATIAL',
  'EXCLUDE',
  'PARTITION',
  'DEFAULT',
]);
const AUTO_VALUE = new Set([
  'DEFAULT',
  'GENERATED',
  'AS',
  'SERIAL',
  'BIGSERIAL',
  'SMALLSERIAL',
  'AUTO_INCREMENT',
  'IDENTITY',
]);

/** A column definition (`name type constraints…`) that is NOT NULL and gets no value for existing rows. */
function notNullWithoutDefault(def: SqlToken[]): boolean {
  let notNull = false;
  for (let k = 0; k < def.length; k++) {
    const t = def[k];
    if (t.kind !== 'word') continue;
    if (AUTO_VALUE.has(t.upper)) return false;
    if (t.upper === 'NOT' && isWord(def[k + 1], 'NULL') && !isWord(def[k - 1], 'IS')) notNull = true;
  }
  return notNull;
}

function describeAlterTable(c: Cursor, info: StatementInfo): void {
  c.accept('IF', 'EXISTS');
  c.accept('ONLY');
  const table = c.name() ?? LUA_EXPR;
  info.objects.push(table);
  for (const action of splitCommas(c.tokens.slice(c.i))) {
    const a = new Cursor(action);
    const first = a.peek();
    if (a.accept('ADD')) {
      const explicit = a.accept('COLUMN');
      a.accept('IF', 'NOT', 'EXISTS');
      if (!explicit && isPunct(a.peek(), '(')) {
        // MySQL: ADD (col type, col type)
        const inner = action.slice(a.i + 1, isPunct(action[action.length - 1], ')') ? -1 : undefined);
        for (const def of splitCommas(inner)) {
          if (isName(def[0]) && !NOT_A_COLUMN.has(def[0].upper) && notNullWithoutDefault(def)) {
            info.addNotNull.push({ column: def[0].text, line: def[0].line });
          }
        }
        continue;
      }
      const col = a.peek();
      if (!isName(col) || (!explicit && col.kind === 'word' && NOT_A_COLUMN.has(col.upper))) continue;
      if (notNullWithoutDefault(action.slice(a.i + 1))) info.addNotNull.push({ column: col.text, line: first!.line });
    } else if (a.accept('DROP')) {
      const explicit = a.accept('COLUMN');
      a.accept('IF', 'EXISTS');
      const col = a.peek();
      if (!isName(col) || (!explicit && col.kind === 'word' && NOT_A_COLUMN.has(col.upper))) continue;
      info.dropColumns.push({ column: col.text, line: first!.line });
    } else if (a.accept('RENAME')) {
      if (a.accept('TO') || a.accept('AS')) {
        const to = a.name();
        if (to !== null) info.renames.push([table, to]);
      }
    }
  }
}

/** Classifies one statement. */
function describeStatement(tokens: SqlToken[]): StatementInfo {
  const info: StatementInfo = {
    line: tokens[0]?.line ?? 1,
    kind: 'other',
    ddl: false,
    objects: [],
    ifNotExists: false,
    renames: [],
    dropColumns: [],
    addNotNull: [],
    keyword: '',
    tokens,
  };
  const c = new Cursor(tokens);
  const first = c.peek();
  if (first === undefined || first.kind !== 'word') return info;

  if (c.accept('CREATE')) {
    info.ddl = true;
    c.accept('OR', 'REPLACE');
    while (
      c.accept('TEMP') ||
      c.accept('TEMPORARY') ||
      c.accept('UNLOGGED') ||
      c.accept('GLOBAL') ||
      c.accept('LOCAL') ||
      c.accept('UNIQUE') ||
      c.accept('VIRTUAL') ||
      c.accept('FULLTEXT') ||
      c.accept('SPATIAL')
    ) {
      // modifiers
    }
    if (c.accept('TABLE')) {
      info.kind = 'create-table';
      info.ifNotExists = c.accept('IF', 'NOT', 'EXISTS');
      info.objects.push(c.name() ?? LUA_EXPR);
    } else if (c.accept('INDEX')) {
      info.kind = 'create-index';
      c.accept('CONCURRENTLY');
      info.ifNotExists = c.accept('IF', 'NOT', 'EXISTS');
      if (!isWord(c.peek(), 'ON')) c.name();
      if (c.accept('ON')) {
        c.accept('ONLY');
        info.objects.push(c.name() ?? LUA_EXPR);
      } else info.objects.push(LUA_EXPR);
    } else if (c.accept('TRIGGER')) {
      info.kind = 'create-other';
      c.accept('IF', 'NOT', 'EXISTS');
      c.name();
      // The trigger belongs to the table it is ON.
      while (c.peek() !== undefined && !isWord(c.peek(), 'ON')) c.i++;
      if (c.accept('ON')) info.objects.push(c.name() ?? LUA_EXPR);
    } else {
      info.kind = 'create-other';
      c.accept('MATERIALIZED');
      c.i++; // VIEW, SEQUENCE, TYPE, FUNCTION…
      c.accept('IF', 'NOT', 'EXISTS');
      const name = c.name();
      if (name !== null) info.objects.push(name);
    }
  } else if (c.accept('ALTER', 'TABLE')) {
    info.kind = 'alter-table';
    info.ddl = true;
    describeAlterTable(c, info);
  } else if (c.accept('ALTER')) {
    info.ddl = true;
    info.kind = 'other';
  } else if (c.accept('DROP')) {
    info.ddl = true;
    c.accept('TEMPORARY');
    if (c.accept('TABLE')) {
      info.kind = 'drop-table';
      c.accept('IF', 'EXISTS');
      for (const part of splitCommas(tokens.slice(c.i))) {
        const name = new Cursor(part).name();
        if (name !== null) info.objects.push(name);
      }
    } else {
      info.kind = 'drop-other';
      const what = c.peek();
      c.i++;
      c.accept('CONCURRENTLY');
      c.accept('IF', 'EXISTS');
      const name = c.name();
      if (isWord(what, 'INDEX')) {
        // Only MySQL's `DROP INDEX name ON table` says which table the index belongs to.
        if (c.accept('ON')) info.objects.push(c.name() ?? LUA_EXPR);
      } else if (isWord(what, 'TRIGGER')) {
        if (c.accept('ON')) info.objects.push(c.name() ?? LUA_EXPR);
      } else if (name !== null) info.objects.push(name);
    }
  } else if (c.accept('RENAME', 'TABLE')) {
    info.kind = 'rename-table';
    info.ddl = true;
    for (const part of splitCommas(tokens.slice(c.i))) {
      const p = new Cursor(part);
      const from = p.name();
      if (p.accept('TO')) {
        const to = p.name();
        if (from !== null && to !== null) {
          info.renames.push([from, to]);
          info.objects.push(from);
        }
      }
    }
  } else if (
    isWord(first, 'BEGIN', 'COMMIT', 'END', 'ABORT') ||
    (isWord(first, 'START') && isWord(c.peek(1), 'TRANSACTION'))
  ) {
    info.kind = 'transaction';
    info.keyword = isWord(first, 'START') ? 'START TRANSACTION' : first.upper;
  } else if (c.accept('ROLLBACK')) {
    c.accept('WORK');
    c.accept('TRANSACTION');
    if (!isWord(c.peek(), 'TO')) {
      info.kind = 'transaction';
      info.keyword = 'ROLLBACK';
    }
  }
  return info;
}

/** Tokenizes, splits and classifies the SQL text. */
export function analyzeSql(sql: SqlText, engine: string | null): StatementInfo[] {
  return splitStatements(tokenize(sql, engine)).map(describeStatement);
}
