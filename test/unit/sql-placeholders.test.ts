import { describe, expect, it } from 'vitest';
import { bindSql, splitStatements, withoutLeadingComments } from '../../src/core/sql/placeholders.ts';

const pg = (sql: string, withParams = true) => bindSql(sql, 'postgres', withParams);
const lite = (sql: string) => bindSql(sql, 'sqlite', true).placeholderCount;
const my = (sql: string) => bindSql(sql, 'mysql', true).placeholderCount;

describe('bindSql on PostgreSQL', () => {
  it('rewrites ? to $1…$n in order', () => {
    expect(pg('INSERT INTO t (a, b, c) VALUES (?, ?, ?)')).toEqual({
      sql: 'INSERT INTO t (a, b, c) VALUES ($1, $2, $3)',
      placeholderCount: 3,
    });
    expect(pg('SELECT ?')).toEqual({ sql: 'SELECT $1', placeholderCount: 1 });
    expect(pg('?')).toEqual({ sql: '$1', placeholderCount: 1 });
    expect(pg('SELECT a FROM t WHERE a=?AND b=?')).toEqual({
      sql: 'SELECT a FROM t WHERE a=$1AND b=$2',
      placeholderCount: 2,
    });
    expect(pg('SELECT arr[?] FROM t')).toEqual({ sql: 'SELECT arr[$1] FROM t', placeholderCount: 1 });
  });

  it('returns the same text and 0 when there is nothing to count', () => {
    expect(pg('SELECT 1')).toEqual({ sql: 'SELECT 1', placeholderCount: 0 });
    expect(pg('')).toEqual({ sql: '', placeholderCount: 0 });
    expect(pg('SELECT 1', false)).toEqual({ sql: 'SELECT 1', placeholderCount: 0 });
  });

  it('leaves ? inside single-quoted strings', () => {
    expect(pg("SELECT '?', ? FROM t WHERE x = 'a?b'")).toEqual({
      sql: "SELECT '?', $1 FROM t WHERE x = 'a?b'",
      placeholderCount: 1,
    });
    expect(pg("SELECT 'it''s ?', ?")).toEqual({ sql: "SELECT 'it''s ?', $1", placeholderCount: 1 });
    expect(pg("SELECT '', ?")).toEqual({ sql: "SELECT '', $1", placeholderCount: 1 });
  });

  it('treats a backslash as an ordinary character in standard strings', () => {
    // standard_conforming_strings: 'a\' is a complete literal.
    expect(pg("SELECT 'a\\', ?")).toEqual({ sql: "SELECT 'a\\', $1", placeholderCount: 1 });
  });

  it("understands E'…' strings with backslash escapes", () => {
    expect(pg("SELECT E'\\'', ?")).toEqual({ sql: "SELECT E'\\'', $1", placeholderCount: 1 });
    expect(pg("SELECT e'it\\'s ?', ?")).toEqual({ sql: "SELECT e'it\\'s ?', $1", placeholderCount: 1 });
    expect(pg("SELECT E'\\\\', ?")).toEqual({ sql: "SELECT E'\\\\', $1", placeholderCount: 1 });
    expect(pg("SELECT E'a''?', ?")).toEqual({ sql: "SELECT E'a''?', $1", placeholderCount: 1 });
    // Only a lone E prefixes: in `name'…'` the backslash is ordinary, so the literal ends at the second quote.
    expect(pg("SELECT name'\\', ?")).toEqual({ sql: "SELECT name'\\', $1", placeholderCount: 1 });
    // `E '…'` with a space is an identifier followed by a standard string.
    expect(pg("SELECT E '\\', ?")).toEqual({ sql: "SELECT E '\\', $1", placeholderCount: 1 });
  });

  it('leaves ? inside double-quoted identifiers', () => {
    expect(pg('SELECT "what?" FROM t WHERE "a""?" = ?')).toEqual({
      sql: 'SELECT "what?" FROM t WHERE "a""?" = $1',
      placeholderCount: 1,
    });
  });

  it('has no backtick or bracket quoting', () => {
    expect(pg('SELECT `?`')).toEqual({ sql: 'SELECT `$1`', placeholderCount: 1 });
  });

  it('leaves ? inside line comments', () => {
    expect(pg('SELECT ? -- why?\n, ?')).toEqual({ sql: 'SELECT $1 -- why?\n, $2', placeholderCount: 2 });
    expect(pg('SELECT ? -- why?\r, ?')).toEqual({ sql: 'SELECT $1 -- why?\r, $2', placeholderCount: 2 });
    expect(pg('SELECT ? --?')).toEqual({ sql: 'SELECT $1 --?', placeholderCount: 1 });
  });

  it('leaves ? inside block comments, which nest', () => {
    expect(pg('SELECT /* ? */ ?')).toEqual({ sql: 'SELECT /* ? */ $1', placeholderCount: 1 });
    expect(pg('SELECT /* a /* ? */ ? */ ?')).toEqual({
      sql: 'SELECT /* a /* ? */ ? */ $1',
      placeholderCount: 1,
    });
    expect(pg('SELECT /*/ ? */ ?')).toEqual({ sql: 'SELECT /*/ ? */ $1', placeholderCount: 1 });
  });

  it('leaves ? inside dollar quotes, with and without tags', () => {
    expect(pg('SELECT $$ ? $$, ?')).toEqual({ sql: 'SELECT $$ ? $$, $1', placeholderCount: 1 });
    expect(pg('SELECT $fn$ ? $$ ? $fn$, ?')).toEqual({
      sql: 'SELECT $fn$ ? $$ ? $fn$, $1',
      placeholderCount: 1,
    });
    expect(pg('SELECT $a$ $b$ ? $b$ $a$, ?')).toEqual({
      sql: 'SELECT $a$ $b$ ? $b$ $a$, $1',
      placeholderCount: 1,
    });
    expect(pg('SELECT $_x1$ ? $_x1$, ?')).toEqual({ sql: 'SELECT $_x1$ ? $_x1$, $1', placeholderCount: 1 });
    // A $n inside a dollar quote is not the statement's own.
    expect(pg('SELECT $$ $1 $$, ?')).toEqual({ sql: 'SELECT $$ $1 $$, $1', placeholderCount: 1 });
    // Quotes inside a dollar quote are just text.
    expect(pg("SELECT $$ it's ? $$, ?")).toEqual({ sql: "SELECT $$ it's ? $$, $1", placeholderCount: 1 });
  });

  it('does not take a $ inside an identifier for a dollar quote or parameter', () => {
    expect(pg('SELECT a$b$, ?')).toEqual({ sql: 'SELECT a$b$, $1', placeholderCount: 1 });
    expect(pg('SELECT col$1, ?')).toEqual({ sql: 'SELECT col$1, $1', placeholderCount: 1 });
  });

  it('rewrites nothing when the statement has its own $n, and counts the highest', () => {
    expect(pg('SELECT $1, ?')).toEqual({ sql: 'SELECT $1, ?', placeholderCount: 1 });
    expect(pg('SELECT $2, $1')).toEqual({ sql: 'SELECT $2, $1', placeholderCount: 2 });
    expect(pg('SELECT ?, $3')).toEqual({ sql: 'SELECT ?, $3', placeholderCount: 3 });
    expect(pg('SELECT $10 + $2')).toEqual({ sql: 'SELECT $10 + $2', placeholderCount: 10 });
    expect(pg('SELECT $1::int')).toEqual({ sql: 'SELECT $1::int', placeholderCount: 1 });
    // Even without a parameter table the count is the statement's: the caller pads with NULL.
    expect(pg('SELECT $2', false)).toEqual({ sql: 'SELECT $2', placeholderCount: 2 });
    // An absurd number is left for PostgreSQL to reject; it is not a count to pad to.
    expect(pg('SELECT $99999999999, ?')).toEqual({ sql: 'SELECT $99999999999, ?', placeholderCount: 0 });
  });

  it('does not see $n inside literals, identifiers or comments', () => {
    expect(pg('SELECT \'$1\', "$2", ? -- $3\n/* $4 */')).toEqual({
      sql: 'SELECT \'$1\', "$2", $1 -- $3\n/* $4 */',
      placeholderCount: 1,
    });
  });

  it('keeps the jsonb operators ?| and ?&', () => {
    expect(pg("SELECT data ?| array['a','b'] FROM t WHERE id = ?")).toEqual({
      sql: "SELECT data ?| array['a','b'] FROM t WHERE id = $1",
      placeholderCount: 1,
    });
    expect(pg("SELECT data ?& array['a'] FROM t WHERE id = ?")).toEqual({
      sql: "SELECT data ?& array['a'] FROM t WHERE id = $1",
      placeholderCount: 1,
    });
  });

  it('reads ?|| as a placeholder followed by ||', () => {
    expect(pg("SELECT ?|| 'x'")).toEqual({ sql: "SELECT $1|| 'x'", placeholderCount: 1 });
  });

  it('rewrites a plain ? next to jsonb data when parameters are given', () => {
    expect(pg('SELECT data ? ? FROM t')).toEqual({ sql: 'SELECT data $1 $2 FROM t', placeholderCount: 2 });
  });

  it('turns ?? into a literal ?', () => {
    expect(pg('SELECT data ?? ? FROM t')).toEqual({ sql: 'SELECT data ? $1 FROM t', placeholderCount: 1 });
    expect(pg('SELECT data ??| ?')).toEqual({ sql: 'SELECT data ?| $1', placeholderCount: 1 });
    expect(pg('SELECT doc @?? ?')).toEqual({ sql: 'SELECT doc @? $1', placeholderCount: 1 });
    expect(pg('SELECT ???')).toEqual({ sql: 'SELECT ?$1', placeholderCount: 1 });
    expect(pg("SELECT data ?? 'k'")).toEqual({ sql: "SELECT data ? 'k'", placeholderCount: 0 });
    expect(pg("SELECT '??', ??")).toEqual({ sql: "SELECT '??', ?", placeholderCount: 0 });
  });

  it('rewrites nothing without a parameter table', () => {
    expect(pg("SELECT data ? 'key' FROM t", false)).toEqual({
      sql: "SELECT data ? 'key' FROM t",
      placeholderCount: 0,
    });
    expect(pg('SELECT ?, ??', false)).toEqual({ sql: 'SELECT ?, ??', placeholderCount: 0 });
  });

  it('does not throw on unterminated regions, treating the rest as inside', () => {
    expect(pg("SELECT 'abc ?")).toEqual({ sql: "SELECT 'abc ?", placeholderCount: 0 });
    expect(pg('SELECT ?, "abc ?')).toEqual({ sql: 'SELECT $1, "abc ?', placeholderCount: 1 });
    expect(pg('SELECT ? /* ? /* ? */ ?')).toEqual({ sql: 'SELECT $1 /* ? /* ? */ ?', placeholderCount: 1 });
    expect(pg('SELECT ?, $q$ ?')).toEqual({ sql: 'SELECT $1, $q$ ?', placeholderCount: 1 });
    expect(pg("SELECT ?, E'\\")).toEqual({ sql: "SELECT $1, E'\\", placeholderCount: 1 });
    expect(pg('SELECT ?, $')).toEqual({ sql: 'SELECT $1, $', placeholderCount: 1 });
    expect(pg('SELECT ?, $a')).toEqual({ sql: 'SELECT $1, $a', placeholderCount: 1 });
  });

  it('handles non-ASCII text', () => {
    expect(pg('SELECT \'héllo ?\', ?, "ünï?" -- ✓?\n')).toEqual({
      sql: 'SELECT \'héllo ?\', $1, "ünï?" -- ✓?\n',
      placeholderCount: 1,
    });
    expect(pg('SELECT ñ$1, ?')).toEqual({ sql: 'SELECT ñ$1, $1', placeholderCount: 1 });
  });
});

describe('bindSql on SQLite', () => {
  it('never rewrites', () => {
    const sql = "SELECT ?, :a, '?' FROM t";
    expect(bindSql(sql, 'sqlite', true)).toEqual({ sql, placeholderCount: 2 });
    expect(bindSql(sql, 'sqlite', false)).toEqual({ sql, placeholderCount: 2 });
  });

  it('counts anonymous ?', () => {
    expect(lite('SELECT 1')).toBe(0);
    expect(lite('SELECT ?')).toBe(1);
    expect(lite('INSERT INTO t VALUES (?, ?, ?)')).toBe(3);
    expect(lite('SELECT ??')).toBe(2);
  });

  it('counts ?NNN by its number, and ? after it takes the next one', () => {
    expect(lite('SELECT ?3')).toBe(3);
    expect(lite('SELECT ?3, ?1')).toBe(3);
    expect(lite('SELECT ?3, ?')).toBe(4);
    expect(lite('SELECT ?, ?, ?1')).toBe(2);
    expect(lite('SELECT ?2, ?2')).toBe(2);
    expect(lite('SELECT ?0')).toBe(0);
    expect(lite('SELECT ?99999')).toBe(0);
  });

  it('counts named parameters once per exact spelling', () => {
    expect(lite('SELECT :a')).toBe(1);
    expect(lite('SELECT @a')).toBe(1);
    expect(lite('SELECT $a')).toBe(1);
    expect(lite('SELECT #a')).toBe(1);
    expect(lite('SELECT :a, :a, :b')).toBe(2);
    expect(lite('SELECT :a, @a, $a')).toBe(3);
    expect(lite('SELECT :a, :A')).toBe(2);
    expect(lite('SELECT :name_1, :name_1')).toBe(1);
    expect(lite('SELECT :1, :1')).toBe(1);
    expect(lite('SELECT $a::b, $a::b')).toBe(1);
    expect(lite('SELECT $a(x), $a(x), $a(y)')).toBe(2);
    expect(lite('SELECT :é')).toBe(1);
  });

  it('mixes anonymous, numbered and named parameters as sqlite3_bind_parameter_count does', () => {
    expect(lite('SELECT :a, ?, :a')).toBe(2);
    expect(lite('SELECT ?, :a, ?')).toBe(3);
    expect(lite('SELECT ?5, :a')).toBe(6);
    expect(lite('SELECT :a, :b, ?1')).toBe(2);
  });

  it('does not count what SQLite would reject or does not see as a variable', () => {
    expect(lite('SELECT :')).toBe(0);
    expect(lite('SELECT @ 1, $ 2')).toBe(0);
    expect(lite('SELECT #1')).toBe(0);
    expect(lite('SELECT $a(x y)')).toBe(0);
    expect(lite('SELECT a$b, c$')).toBe(0);
    expect(lite('SELECT 1$a')).toBe(0);
    expect(lite('SELECT a:b')).toBe(1);
  });

  it('skips strings, every identifier quoting and comments', () => {
    expect(lite("SELECT '?', ':a', 'it''s ?', ?")).toBe(1);
    expect(lite('SELECT "?", "a"":b", ?')).toBe(1);
    expect(lite('SELECT `?`, `a``:b`, ?')).toBe(1);
    expect(lite('SELECT [?], [:a], ?')).toBe(1);
    expect(lite('SELECT ? -- ? :a\n, ?')).toBe(2);
    expect(lite('SELECT ? --? :a')).toBe(1);
    expect(lite('SELECT /* ? :a */ ?')).toBe(1);
    // Block comments do not nest on SQLite.
    expect(lite('SELECT /* /* ? */ ? */')).toBe(1);
    // A backslash escapes nothing.
    expect(lite("SELECT 'a\\', ?")).toBe(1);
    expect(lite("SELECT x'3F', ?")).toBe(1);
  });

  it('has no dollar quotes: $$ is a variable named "$$"', () => {
    expect(lite('SELECT $$, ?, $$')).toBe(2);
  });

  it('does not throw on unterminated regions', () => {
    expect(lite("SELECT ?, 'abc ?")).toBe(1);
    expect(lite('SELECT ?, [abc ?')).toBe(1);
    expect(lite('SELECT ?, `abc ?')).toBe(1);
    expect(lite('SELECT ?, /* ?')).toBe(1);
  });
});

describe('bindSql on MySQL', () => {
  it('never rewrites and counts ?', () => {
    const sql = 'INSERT INTO t VALUES (?, ?)';
    expect(bindSql(sql, 'mysql', true)).toEqual({ sql, placeholderCount: 2 });
    expect(bindSql(sql, 'mysql', false)).toEqual({ sql, placeholderCount: 2 });
    expect(my('SELECT 1')).toBe(0);
    expect(my('SELECT :a, @a, $1')).toBe(0);
    expect(my('SELECT ??')).toBe(2);
  });

  it('skips strings with backslash escapes, double-quoted strings and backtick identifiers', () => {
    expect(my("SELECT '?', 'it''s ?', ?")).toBe(1);
    expect(my("SELECT 'it\\'s ?', ?")).toBe(1);
    expect(my("SELECT 'a\\\\', ?")).toBe(1);
    expect(my('SELECT "?", "say \\"?\\"", "a""?", ?')).toBe(1);
    expect(my('SELECT `?`, `a``?`, ?')).toBe(1);
    expect(my("SELECT _utf8mb4'?', N'?', ?")).toBe(1);
  });

  it('has no bracket quoting', () => {
    expect(my('SELECT [?]')).toBe(1);
  });

  it('needs white space after -- for a comment, and knows # comments', () => {
    expect(my('SELECT ? -- ?\n, ?')).toBe(2);
    expect(my('SELECT ? --\t?\n')).toBe(1);
    expect(my('SELECT ? --')).toBe(1);
    expect(my('SELECT 1--?')).toBe(1);
    expect(my('SELECT ? # ?\n, ?')).toBe(2);
    expect(my('SELECT ? #?')).toBe(1);
  });

  it('skips block comments, which do not nest, but reads executable comments as SQL', () => {
    expect(my('SELECT /* ? */ ?')).toBe(1);
    expect(my('SELECT /* /* ? */ ? */')).toBe(1);
    expect(my('SELECT /*+ hint(?) */ ?')).toBe(1);
    expect(my("SELECT /*! ?, '?' */ ?")).toBe(2);
    expect(my('SELECT /*!50100 ? */ ?')).toBe(2);
  });

  it('does not throw on unterminated regions', () => {
    expect(my("SELECT ?, 'abc\\' ?")).toBe(1);
    expect(my('SELECT ?, "abc ?')).toBe(1);
    expect(my('SELECT ?, /* ?')).toBe(1);
  });
});

describe('splitStatements', () => {
  it('splits on ; and trims, dropping empty statements', () => {
    for (const engine of ['sqlite', 'postgres', 'mysql'] as const) {
      expect(splitStatements('CREATE TABLE a (x int);\n  INSERT INTO a VALUES (1) ;;\n\nSELECT 1', engine)).toEqual([
        'CREATE TABLE a (x int)',
        'INSERT INTO a VALUES (1)',
        'SELECT 1',
      ]);
      expect(splitStatements('', engine)).toEqual([]);
      expect(splitStatements(' ; ;\n', engine)).toEqual([]);
      expect(splitStatements('SELECT 1;', engine)).toEqual(['SELECT 1']);
      expect(splitStatements('\uFEFFSELECT 1;\u00a0', engine)).toEqual(['SELECT 1']);
    }
  });

  it('drops statements that are only comments but keeps comments inside statements', () => {
    expect(splitStatements('-- first\nSELECT 1; -- trailing\n/* block */;\n', 'sqlite')).toEqual([
      '-- first\nSELECT 1',
    ]);
    expect(splitStatements('SELECT 1 /* note */; /* only */ -- only', 'postgres')).toEqual(['SELECT 1 /* note */']);
    expect(splitStatements('# only\n; -- only\n; SELECT 1 # done', 'mysql')).toEqual(['SELECT 1 # done']);
  });

  it('does not split on ; in strings, identifiers or comments', () => {
    expect(
      splitStatements(
        "INSERT INTO t VALUES ('a;b', 'it''s;'); SELECT \"x;y\" FROM t -- c;d\n; SELECT /* ; */ 2",
        'postgres',
      ),
    ).toEqual(["INSERT INTO t VALUES ('a;b', 'it''s;')", 'SELECT "x;y" FROM t -- c;d', 'SELECT /* ; */ 2']);
    expect(splitStatements('SELECT `a;b`, [c;d]; SELECT 2', 'sqlite')).toEqual(['SELECT `a;b`, [c;d]', 'SELECT 2']);
    expect(splitStatements("SELECT 'a\\';b', \"c;\"; SELECT 2 # x;y\n;SELECT 3", 'mysql')).toEqual([
      "SELECT 'a\\';b', \"c;\"",
      'SELECT 2 # x;y',
      'SELECT 3',
    ]);
  });

  it('does not split inside nested comments, dollar quotes or E strings on PostgreSQL', () => {
    const fn =
      'CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $body$\nBEGIN\n  NEW.x := 1;\n  RETURN NEW;\nEND;\n$body$';
    expect(splitStatements(`${fn};\nSELECT 1`, 'postgres')).toEqual([fn, 'SELECT 1']);
    expect(splitStatements('DO $$ BEGIN PERFORM 1; END $$; SELECT 2', 'postgres')).toEqual([
      'DO $$ BEGIN PERFORM 1; END $$',
      'SELECT 2',
    ]);
    expect(splitStatements("SELECT E'\\';'; SELECT /* a /* ; */ ; */ 2", 'postgres')).toEqual([
      "SELECT E'\\';'",
      'SELECT /* a /* ; */ ; */ 2',
    ]);
    expect(splitStatements('SELECT $1; SELECT 2', 'postgres')).toEqual(['SELECT $1', 'SELECT 2']);
  });

  it('keeps a SQLite CREATE TRIGGER … BEGIN … END body whole', () => {
    const trigger =
      "CREATE TRIGGER t_ai AFTER INSERT ON t\nBEGIN\n  UPDATE t SET n = n + 1 WHERE id = new.id;\n  INSERT INTO log VALUES ('a;b');\nEND";
    expect(splitStatements(`CREATE TABLE t (id);\n${trigger};\nINSERT INTO t VALUES (1);`, 'sqlite')).toEqual([
      'CREATE TABLE t (id)',
      trigger,
      'INSERT INTO t VALUES (1)',
    ]);
  });

  it('handles TEMP triggers, CASE … END, comments and odd spacing inside triggers', () => {
    const trigger =
      'create temp trigger if not exists tr before delete on t when old.x > 0 begin ' +
      "select case when old.x = 1 then raise(abort, 'no;') end; -- end;\n" +
      'delete from u where y = old.x ; /* ; END ; */ end';
    expect(splitStatements(`${trigger} ; select 1`, 'sqlite')).toEqual([trigger, 'select 1']);
    const temporary = 'CREATE TEMPORARY TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END';
    expect(splitStatements(`${temporary};SELECT 2`, 'sqlite')).toEqual([temporary, 'SELECT 2']);
    const commented = 'CREATE /* x */ TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1;\n-- c\nEND';
    expect(splitStatements(`${commented};SELECT 2`, 'sqlite')).toEqual([commented, 'SELECT 2']);
  });

  it('does not take a quoted "END" or an END not after ; for the end of a trigger', () => {
    const trigger = 'CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; "END"; SELECT 2; END';
    expect(splitStatements(`${trigger}; SELECT 3`, 'sqlite')).toEqual([trigger, 'SELECT 3']);
  });

  it('only treats CREATE [TEMP] TRIGGER as a trigger', () => {
    expect(splitStatements('CREATE TABLE trigger (begin); SELECT 1', 'sqlite')).toEqual([
      'CREATE TABLE trigger (begin)',
      'SELECT 1',
    ]);
    expect(splitStatements('SELECT trigger FROM t; SELECT 2', 'sqlite')).toEqual(['SELECT trigger FROM t', 'SELECT 2']);
    expect(splitStatements('BEGIN; SELECT 1; END;', 'sqlite')).toEqual(['BEGIN', 'SELECT 1', 'END']);
    const explained = 'EXPLAIN QUERY PLAN CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END';
    expect(splitStatements(`${explained}; SELECT 2`, 'sqlite')).toEqual([explained, 'SELECT 2']);
  });

  it('keeps an unterminated trigger as one statement', () => {
    expect(splitStatements('CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; SELECT 2;', 'sqlite')).toEqual([
      'CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; SELECT 2;',
    ]);
  });

  it('splits triggers on PostgreSQL and MySQL at every top-level ;', () => {
    expect(splitStatements('CREATE TRIGGER tr BEGIN SELECT 1; END;', 'mysql')).toEqual([
      'CREATE TRIGGER tr BEGIN SELECT 1',
      'END',
    ]);
    expect(splitStatements('BEGIN; SELECT 1; COMMIT;', 'postgres')).toEqual(['BEGIN', 'SELECT 1', 'COMMIT']);
  });

  it('keeps a PostgreSQL BEGIN ATOMIC body whole, as psql does', () => {
    const fn =
      'CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END;\n  SELECT 3;\nEND';
    expect(splitStatements(`${fn};\nSELECT f(1);`, 'postgres')).toEqual([fn, 'SELECT f(1)']);
    const proc = 'CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END';
    expect(splitStatements(`${proc}; CALL p()`, 'postgres')).toEqual([proc, 'CALL p()']);
    const returns = 'CREATE FUNCTION g() RETURNS int LANGUAGE sql RETURN CASE WHEN true THEN 1 END';
    expect(splitStatements(`${returns}; SELECT g()`, 'postgres')).toEqual([returns, 'SELECT g()']);
    const nested = 'CREATE FUNCTION h(begin int) RETURNS int BEGIN ATOMIC SELECT (CASE WHEN begin > 0 THEN 1 END); END';
    expect(splitStatements(`${nested}; SELECT 1`, 'postgres')).toEqual([nested, 'SELECT 1']);
  });

  it('does not split inside parentheses on PostgreSQL', () => {
    const rule = 'CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))';
    expect(splitStatements(`${rule}; SELECT 1`, 'postgres')).toEqual([rule, 'SELECT 1']);
    expect(splitStatements("SELECT ')'; SELECT 2", 'postgres')).toEqual(["SELECT ')'", 'SELECT 2']);
  });

  it('reads MySQL executable comments as SQL', () => {
    expect(splitStatements('/*!40101 SET NAMES utf8 */;\n/* plain */;\nSELECT 1', 'mysql')).toEqual([
      '/*!40101 SET NAMES utf8 */',
      'SELECT 1',
    ]);
    expect(splitStatements('/*! SELECT 1; */ SELECT 2', 'mysql')).toEqual(['/*! SELECT 1; */ SELECT 2']);
  });

  it('does not throw on unterminated regions, keeping the rest in the last statement', () => {
    expect(splitStatements("SELECT 1; SELECT 'abc; SELECT 2", 'sqlite')).toEqual(['SELECT 1', "SELECT 'abc; SELECT 2"]);
    expect(splitStatements('SELECT 1; SELECT $x$ ; SELECT 2', 'postgres')).toEqual([
      'SELECT 1',
      'SELECT $x$ ; SELECT 2',
    ]);
    // PostgreSQL and MySQL reject an unterminated block comment, so it reaches them; SQLite accepts it.
    expect(splitStatements('SELECT 1; /* ; SELECT 2', 'mysql')).toEqual(['SELECT 1', '/* ; SELECT 2']);
    expect(splitStatements('SELECT 1; /* /* */ ; SELECT 2', 'postgres')).toEqual(['SELECT 1', '/* /* */ ; SELECT 2']);
    expect(splitStatements('SELECT 1; /* ; SELECT 2', 'sqlite')).toEqual(['SELECT 1']);
    expect(splitStatements('SELECT 1; /* ok */', 'postgres')).toEqual(['SELECT 1']);
  });
});

describe('speed', () => {
  it('lexes a 10 KB statement well under a millisecond', () => {
    const unit = "INSERT INTO t (a, \"b?\") VALUES (?, 'x?y''z') /* ?; */ -- ?;\n, (?, ?);\n";
    const units = Math.ceil(10_240 / unit.length);
    const big = unit.repeat(units);
    expect(big.length).toBeGreaterThanOrEqual(10_240);
    const rewritten = bindSql(big, 'postgres', true);
    expect(rewritten.placeholderCount).toBe(3 * units);
    expect(rewritten.sql.endsWith(`, ($${3 * units - 1}, $${3 * units});\n`)).toBe(true);
    for (const engine of ['sqlite', 'postgres', 'mysql'] as const) {
      expect(bindSql(big, engine, true).placeholderCount).toBe(3 * units);
      expect(splitStatements(big, engine)).toHaveLength(units);
    }
  });
});

describe('withoutLeadingComments', () => {
  it('drops white space and the comments each engine knows, and nothing else', () => {
    expect(withoutLeadingComments('  -- note\n /* a */ COMMIT', 'sqlite')).toBe('COMMIT');
    expect(withoutLeadingComments('/* outer /* inner */ still */ END', 'postgres')).toBe('END');
    expect(withoutLeadingComments('/* outer /* inner */ still */ END', 'sqlite')).toBe('still */ END');
    expect(withoutLeadingComments('# note\nBEGIN', 'mysql')).toBe('BEGIN');
    expect(withoutLeadingComments('# note\nBEGIN', 'postgres')).toBe('# note\nBEGIN');
    expect(withoutLeadingComments('--x\nDROP', 'mysql')).toBe('--x\nDROP'); // MySQL: `--` needs a space after it
    expect(withoutLeadingComments('/*!40101 SET x = 1 */', 'mysql')).toBe(' SET x = 1 */'.trimStart());
    expect(withoutLeadingComments("'-- not a comment'", 'sqlite')).toBe("'-- not a comment'");
  });
});
