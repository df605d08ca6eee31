// The shared SQL lexer (src/core/sql/lexer.ts): each engine's lexical rules, and the readers built on it that used to
// have lexers of their own and disagreed on some of those rules.
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/driver.ts';
import { analyzeSql } from '../../src/core/lint/sql.ts';
import { sqlOnLine } from '../../src/core/lint/sql-text.ts';
import { parseCreateTable } from '../../src/core/schema/sqlite-sql.ts';
import { SqlLexer, Tok, tokenize, unquote, type TokenKind } from '../../src/core/sql/lexer.ts';
import { bindSql, splitStatements, withoutLeadingComments } from '../../src/core/sql/placeholders.ts';
import { hasSqlContent, sqliteStatementVerb } from '../../src/core/sql/sqlite-statement.ts';

const NAMES = Object.fromEntries(Object.entries(Tok).map(([name, kind]) => [kind, name])) as Record<TokenKind, string>;

/** The tokens of `sql` as `Kind:text`, white space left out. */
function lex(sql: string, dialect: Engine): string[] {
  return tokenize(sql, dialect)
    .filter((t) => t.kind !== Tok.Space)
    .map((t) => `${NAMES[t.kind]}:${sql.slice(t.start, t.end)}`);
}

/** Each token's kind and whether it is unterminated, from the cursor. */
function cursor(sql: string, dialect: Engine): Array<[string, string, boolean]> {
  const lexer = new SqlLexer(sql, dialect);
  const out: Array<[string, string, boolean]> = [];
  for (let kind = lexer.next(); kind !== Tok.End; kind = lexer.next()) {
    out.push([NAMES[kind], lexer.text(), lexer.unterminated]);
  }
  return out;
}

const ENGINES: Engine[] = ['sqlite', 'postgres', 'mysql'];

describe('tokens', () => {
  it('cover the whole text, white space included, in order', () => {
    const sql = "SELECT a, 'b' -- c\n FROM t /* d */ WHERE x = ?;";
    for (const dialect of ENGINES) {
      const tokens = tokenize(sql, dialect);
      expect(tokens.map((t) => sql.slice(t.start, t.end)).join('')).toBe(sql);
      for (let i = 1; i < tokens.length; i++) expect(tokens[i].start).toBe(tokens[i - 1].end);
    }
    expect(tokenize('', 'sqlite')).toEqual([]);
    expect(tokenize('  \n', 'sqlite')).toEqual([{ kind: Tok.Space, start: 0, end: 3 }]);
  });

  it('reads words, numbers and punctuation alike on every engine', () => {
    for (const dialect of ENGINES) {
      expect(lex('SELECT a_1, t.b FROM t WHERE x >= 1.5e-3 AND y < .5;', dialect)).toEqual([
        'Word:SELECT',
        'Word:a_1',
        'Punct:,',
        'Word:t',
        'Punct:.',
        'Word:b',
        'Word:FROM',
        'Word:t',
        'Word:WHERE',
        'Word:x',
        'Punct:>',
        'Punct:=',
        'Number:1.5e-3',
        'Word:AND',
        'Word:y',
        'Punct:<',
        'Number:.5',
        'Punct:;',
      ]);
    }
  });

  it('keeps a $ inside a word (a$b$ is no dollar quote, col$1 no parameter)', () => {
    for (const dialect of ENGINES) expect(lex('a$b$ col$1', dialect)).toEqual(['Word:a$b$', 'Word:col$1']);
  });

  it('reads characters from U+0080 up as identifier characters, a no-break space included', () => {
    for (const dialect of ENGINES) {
      expect(lex('SELECT café,\u00a0x\u00a0y', dialect)).toEqual([
        'Word:SELECT',
        'Word:café',
        'Punct:,',
        'Word:\u00a0x\u00a0y',
      ]);
    }
  });

  it('sticks identifier characters to a number as the engine does', () => {
    expect(lex('1$a 0x1F 2abc', 'sqlite')).toEqual(['Number:1$a', 'Number:0x1F', 'Number:2abc']);
    expect(lex('1abc 1$a', 'mysql')).toEqual(['Number:1abc', 'Number:1$a']);
    // PostgreSQL: only a character that starts an identifier sticks.
    expect(lex('1$2 2abc$', 'postgres')).toEqual(['Number:1', 'Param:$2', 'Number:2abc$']);
  });
});

describe('strings', () => {
  it("undo a doubled quote everywhere: 'it''s' is one string", () => {
    for (const dialect of ENGINES) expect(lex("'it''s' ''", dialect)).toEqual(["String:'it''s'", "String:''"]);
  });

  it('take backslash escapes only in MySQL', () => {
    expect(lex("'it\\'s' 'a\\\\' x", 'mysql')).toEqual(["String:'it\\'s'", "String:'a\\\\'", 'Word:x']);
    // Standard strings on SQLite and PostgreSQL: 'a\' is complete.
    for (const dialect of ['sqlite', 'postgres'] as const) {
      expect(lex("'a\\' x", dialect)).toEqual(["String:'a\\'", 'Word:x']);
    }
  });

  it("read E'…' as an escape string on PostgreSQL only", () => {
    expect(lex("E'\\'' e'a\\\\' x", 'postgres')).toEqual(["String:E'\\''", "String:e'a\\\\'", 'Word:x']);
    // Only a lone E right before the quote: `E '…'` and `name'…'` are a word and a standard string.
    expect(lex("E '\\' name'\\'", 'postgres')).toEqual(['Word:E', "String:'\\'", 'Word:name', "String:'\\'"]);
    // Elsewhere E is a word, and the backslash ordinary: `'\''` is `\` then an escaped quote, and runs on.
    expect(cursor("E'\\''", 'sqlite')).toEqual([
      ['Word', 'E', false],
      ['String', "'\\''", true],
    ]);
  });

  it('read dollar quotes on PostgreSQL: $$ and $tag$, but not $1', () => {
    expect(lex('$$ a ; $$ $fn$ $$ ? $fn$ $1 $_x1$ $x$ $', 'postgres')).toEqual([
      'String:$$ a ; $$',
      'String:$fn$ $$ ? $fn$',
      'Param:$1',
      'String:$_x1$ $x$ $',
    ]);
    expect(lex('$ $a', 'postgres')).toEqual(['Punct:$', 'Punct:$', 'Word:a']);
    // SQLite has no dollar quotes: $$ is a variable named "$$". MySQL: $ starts an identifier.
    expect(lex('$$ $a', 'sqlite')).toEqual(['Param:$$', 'Param:$a']);
    expect(lex('$$ $a', 'mysql')).toEqual(['Word:$$', 'Word:$a']);
  });

  it('read MySQL double quotes as a string, with backslash escapes', () => {
    expect(lex('"say \\"hi\\"" "a""b"', 'mysql')).toEqual(['String:"say \\"hi\\""', 'String:"a""b"']);
  });

  it('run to the end of the text when unterminated, and say so', () => {
    expect(cursor("SELECT 'abc", 'sqlite')).toEqual([
      ['Word', 'SELECT', false],
      ['String', "'abc", true],
    ]);
    expect(cursor("x 'abc\\'", 'mysql')).toEqual([
      ['Word', 'x', false],
      ['String', "'abc\\'", true],
    ]);
    expect(cursor("E'\\", 'postgres')).toEqual([['String', "E'\\", true]]);
    expect(cursor('$q$ ; ?', 'postgres')).toEqual([['String', '$q$ ; ?', true]]);
    expect(cursor('"ab', 'postgres')).toEqual([['QuotedName', '"ab', true]]);
    expect(cursor('[ab', 'sqlite')).toEqual([['QuotedName', '[ab', true]]);
    expect(cursor("'a' x", 'sqlite')).toEqual([
      ['String', "'a'", false],
      ['Word', 'x', false],
    ]);
  });
});

describe('quoted names', () => {
  it('follow each engine: "…" and `…` on SQLite, "…" on PostgreSQL, `…` on MySQL, […] on SQLite only', () => {
    expect(lex('"a""b" `c``d` [e f]', 'sqlite')).toEqual([
      'QuotedName:"a""b"',
      'QuotedName:`c``d`',
      'QuotedName:[e f]',
    ]);
    expect(lex('"a""b" `c` arr[1]', 'postgres')).toEqual([
      'QuotedName:"a""b"',
      'Punct:`',
      'Word:c',
      'Punct:`',
      'Word:arr',
      'Punct:[',
      'Number:1',
      'Punct:]',
    ]);
    expect(lex('`c``d` [e]', 'mysql')).toEqual(['QuotedName:`c``d`', 'Punct:[', 'Word:e', 'Punct:]']);
  });

  it('unquote to the name or value they stand for', () => {
    const value = (sql: string, dialect: Engine): string => {
      const t = tokenize(sql, dialect)[0];
      return unquote(sql, t.start, t.end, dialect);
    };
    expect(value('"a""b"', 'sqlite')).toBe('a"b');
    expect(value('`c``d`', 'mysql')).toBe('c`d');
    expect(value('[e f]', 'sqlite')).toBe('e f');
    expect(value("'it''s'", 'postgres')).toBe("it's");
    expect(value("'it\\'s'", 'mysql')).toBe("it's");
    expect(value("E'a\\'b'", 'postgres')).toBe("a'b");
    expect(value("'a\\'", 'sqlite')).toBe('a\\');
    expect(value('$fn$ body $fn$', 'postgres')).toBe(' body ');
    expect(value('$$ open', 'postgres')).toBe(' open');
    expect(value("'open", 'sqlite')).toBe('open');
  });
});

describe('comments', () => {
  it('-- runs to the line end; on PostgreSQL a CR ends the line too', () => {
    expect(lex('a -- b ? ;\nc', 'sqlite')).toEqual(['Word:a', 'Comment:-- b ? ;', 'Word:c']);
    expect(lex('a --b\rc', 'sqlite')).toEqual(['Word:a', 'Comment:--b\rc']);
    expect(lex('a --b\rc', 'postgres')).toEqual(['Word:a', 'Comment:--b', 'Word:c']);
  });

  it('-- is a comment on MySQL only when white space or a control character follows, or at the end', () => {
    expect(lex('1--2', 'mysql')).toEqual(['Number:1', 'Punct:-', 'Punct:-', 'Number:2']);
    expect(lex('1--2', 'sqlite')).toEqual(['Number:1', 'Comment:--2']);
    expect(lex('a -- b\nc --\td\ne --', 'mysql')).toEqual([
      'Word:a',
      'Comment:-- b',
      'Word:c',
      'Comment:--\td',
      'Word:e',
      'Comment:--',
    ]);
  });

  it('# is a comment on MySQL, a variable on SQLite, an operator on PostgreSQL', () => {
    expect(lex('a # b ?\nc', 'mysql')).toEqual(['Word:a', 'Comment:# b ?', 'Word:c']);
    expect(lex('#a # 1', 'sqlite')).toEqual(['Param:#a', 'Punct:#', 'Number:1']);
    expect(lex('a # b', 'postgres')).toEqual(['Word:a', 'Punct:#', 'Word:b']);
  });

  it('block comments nest on PostgreSQL only', () => {
    expect(lex('/* a /* b */ c */ d', 'postgres')).toEqual(['Comment:/* a /* b */ c */', 'Word:d']);
    for (const dialect of ['sqlite', 'mysql'] as const) {
      expect(lex('/* a /* b */ c */ d', dialect)).toEqual([
        'Comment:/* a /* b */',
        'Word:c',
        'Punct:*',
        'Punct:/',
        'Word:d',
      ]);
    }
    expect(lex('/*/ ? */ x', 'postgres')).toEqual(['Comment:/*/ ? */', 'Word:x']);
  });

  it('an unterminated block comment runs to the end and says so', () => {
    expect(cursor('a /* b', 'sqlite')).toEqual([
      ['Word', 'a', false],
      ['Comment', '/* b', true],
    ]);
    expect(cursor('/* a /* b */', 'postgres')).toEqual([['Comment', '/* a /* b */', true]]);
    expect(cursor('/* a */', 'postgres')).toEqual([['Comment', '/* a */', false]]);
  });

  it("MySQL's executable comments hold SQL: only their delimiters are special", () => {
    expect(lex("/*!50100 SELECT '*/' */ x /*+ hint(?) */", 'mysql')).toEqual([
      'ExecCommentStart:/*!50100',
      'Word:SELECT',
      "String:'*/'",
      'ExecCommentEnd:*/',
      'Word:x',
      'Comment:/*+ hint(?) */',
    ]);
    // Outside one, */ is two operators.
    expect(lex('a */', 'mysql')).toEqual(['Word:a', 'Punct:*', 'Punct:/']);
    expect(lex('/*! x */', 'sqlite')).toEqual(['Comment:/*! x */']);
  });
});

describe('parameters', () => {
  it('are ? on every engine, never inside a literal, a quoted name or a comment', () => {
    const quiet: Record<Engine, string> = {
      sqlite: '\'?\' "?" `?` [?] -- ?\n /* ? */',
      postgres: "'?' \"?\" E'\\'?' $$?$$ $t$?$t$ -- ?\n /* /* ? */ ? */",
      mysql: "'?' \"?\" '\\'?' `?` -- ?\n # ?\n /* ? */",
    };
    for (const dialect of ENGINES) {
      expect(lex(quiet[dialect], dialect).filter((t) => t.startsWith('Param:'))).toEqual([]);
      expect(lex(`${quiet[dialect]} ?`, dialect).filter((t) => t.startsWith('Param:'))).toEqual(['Param:?']);
    }
  });

  it('are $n on PostgreSQL', () => {
    expect(lex('$1 + $23', 'postgres')).toEqual(['Param:$1', 'Punct:+', 'Param:$23']);
  });

  it("are SQLite's ?NNN and named variables, with Tcl's :: and (…) suffixes", () => {
    expect(lex('?12 :a @b $c::d $e(x y) $f(g) : @', 'sqlite')).toEqual([
      'Param:?12',
      'Param::a',
      'Param:@b',
      'Param:$c::d',
      'Punct:$e(x',
      'Word:y',
      'Punct:)',
      'Param:$f(g)',
      'Punct::',
      'Punct:@',
    ]);
    expect(lex('?12 :a @b', 'postgres')).toEqual(['Param:?', 'Number:12', 'Punct::', 'Word:a', 'Punct:@', 'Word:b']);
  });
});

describe('readers that had lexers of their own', () => {
  /** The lint's reading of SQL: each statement's kind and the objects it changes. */
  const lint = (sql: string, engine: string | null): string[] =>
    analyzeSql(sqlOnLine(sql, 1), engine).map((s) => `${s.kind} ${s.objects.join(',')}`);

  it('lint: -- without white space after it is no comment on MySQL, so what follows is SQL', () => {
    expect(lint('UPDATE t SET a = 1--1; DROP TABLE users', 'mysql')).toEqual(['other ', 'drop-table users']);
    expect(lint('UPDATE t SET a = 1--1; DROP TABLE users', 'sqlite')).toEqual(['other ']);
  });

  it("lint: a MySQL executable comment's content is SQL", () => {
    expect(lint('/*!50100 DROP TABLE users */', 'mysql')).toEqual(['drop-table users']);
    expect(lint('/*!50100 DROP TABLE users */', 'postgres')).toEqual([]);
  });

  it('lint: a MySQL double-quoted string takes backslash escapes', () => {
    expect(lint('SELECT "a\\"; DROP TABLE users; --"', 'mysql')).toEqual(['other ']);
  });

  it("lint: E'…' takes backslash escapes on PostgreSQL only", () => {
    const sql = "INSERT INTO t VALUES (E'\\'); DROP TABLE users; --')";
    expect(lint(sql, 'postgres')).toEqual(['other ']);
    expect(lint(sql, 'sqlite')).toEqual(['other ', 'drop-table users']);
  });

  it('lint: block comments nest on PostgreSQL only', () => {
    const sql = '/* a /* b */ DROP TABLE users; /* */';
    expect(lint(sql, 'postgres')).toEqual([]);
    expect(lint(sql, 'sqlite')).toEqual(['drop-table users']);
    expect(lint(sql, 'mysql')).toEqual(['drop-table users']);
  });

  it('lint: dollar quotes exist on PostgreSQL only', () => {
    const sql = 'SELECT $$; DROP TABLE users; $$';
    expect(lint(sql, 'postgres')).toEqual(['other ']);
    expect(lint(sql, 'sqlite')).toEqual(['other ', 'drop-table users', 'other ']);
  });

  it('lint: brackets quote names on SQLite only', () => {
    const sql = "SELECT ARRAY[']']; DROP TABLE users";
    expect(lint(sql, 'postgres')).toEqual(['other ', 'drop-table users']);
    expect(lint('CREATE TABLE [my table] (a INT)', 'sqlite')).toEqual(['create-table my table']);
  });

  it('lint: a CR ends a -- comment on PostgreSQL', () => {
    expect(lint('SELECT 1 -- c\r; DROP TABLE users', 'postgres')).toEqual(['other ', 'drop-table users']);
    expect(lint('SELECT 1 -- c\r; DROP TABLE users', 'sqlite')).toEqual(['other ']);
  });

  it("lint: a block with an engine it does not know is read with PostgreSQL's rules", () => {
    expect(lint('CREATE FUNCTION f() AS $$ DROP TABLE x; $$; DROP TABLE users', null)).toEqual([
      'create-other f',
      'drop-table users',
    ]);
  });

  it('schema: CHECK expressions keep literals and quoted names whole, with SQLite rules', () => {
    const parsed = parseCreateTable(
      'CREATE TABLE t (a TEXT CHECK (a <> \'/* x */\'), "b)" INT CHECK ("b)" > 0), [c,] INT /* no ( */ CHECK ([c,] < 9))',
    );
    expect(parsed.checks).toEqual([
      { expression: "a <> '/* x */'" },
      { expression: '"b)" > 0' },
      { expression: '[c,] < 9' },
    ]);
  });

  it('withoutLeadingComments: the */ closing a MySQL executable comment is no statement text', () => {
    expect(withoutLeadingComments('/*! */ COMMIT', 'mysql')).toBe('COMMIT');
    expect(withoutLeadingComments('\u00a0COMMIT', 'postgres')).toBe('\u00a0COMMIT'); // an identifier character
  });

  it('sqliteStatementVerb and hasSqlContent read SQLite tokens', () => {
    expect(sqliteStatementVerb("WITH x AS (SELECT ')' AS v) INSERT INTO t SELECT v FROM x")).toBe('INSERT');
    expect(sqliteStatementVerb('WITH [x;] AS (SELECT 1) UPDATE t SET a = 1')).toBe('UPDATE');
    expect(sqliteStatementVerb('  ; SELECT 1')).toBe('');
    expect(hasSqlContent(' ; -- x\n /* y */ ;')).toBe(false);
    expect(hasSqlContent('; x')).toBe(true);
    expect(hasSqlContent('/* unterminated ; x')).toBe(false);
  });

  it('bindSql and splitStatements agree with the tokens on PostgreSQL 1$2', () => {
    // `1$2` is the number 1 and the parameter $2 (PostgreSQL reads no identifier starting with `$`).
    expect(bindSql('SELECT 1$2', 'postgres', true)).toEqual({ sql: 'SELECT 1$2', placeholderCount: 2 });
    expect(splitStatements('SELECT 1$2; SELECT 2', 'postgres')).toEqual(['SELECT 1$2', 'SELECT 2']);
  });
});
