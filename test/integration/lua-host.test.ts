/**
 * The Lua host against the real engines: sql.js (answers synchronously) and PGlite (answers with promises, so every
 * database call goes through the coroutine bridge). The same migrations run on both; each prints what it saw.
 */
import { describe, expect, test } from 'vitest';
import { LoadError } from '../../src/core/lua/failures.ts';
import { fileName, IN_PROCESS_ENGINES, migration, runUp, UP_FIRST_LINE, useLuaSession } from '../helpers/migration.ts';

let tables = 0;
/** A table name no other test uses (the database is shared by the tests of an engine). */
const fresh = (label = 't') => `${label}_${++tables}`;

describe.each(IN_PROCESS_ENGINES)('Lua host on %s', (engine, open) => {
  const pg = engine === 'postgres';
  const session = useLuaSession(open);
  const { run, prints } = session;

  async function fails(body: string) {
    const { result, output } = await run(body);
    expect(result.ok, 'the migration should have failed').toBe(false);
    expect(result.results.at(-1)?.status).toBe('failed');
    return { error: result.error!, output };
  }

  async function tableExists(name: string): Promise<boolean> {
    const r = pg
      ? await session.driver.query('SELECT table_name FROM information_schema.tables WHERE table_name = $1', [name])
      : await session.driver.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?`, [name]);
    return r.rows.length > 0;
  }

  /** An id column that numbers itself on this engine. */
  const serial = pg ? 'id SERIAL PRIMARY KEY' : 'id INTEGER PRIMARY KEY';

  // -------------------------------------------------------------------------------------------------------------
  describe('the coroutine bridge', () => {
    test('db calls from nested functions', async () => {
      const t = fresh();
      expect(
        await prints(`
        local function insert(v) return assert(db:execute("INSERT INTO ${t} (v) VALUES (?)", { v })) end
        local function fill(n) for i = 1, n do insert(i * 10) end end
        local function count() return db:query("SELECT count(*) AS n, sum(v) AS s FROM ${t}")[1] end
        assert(db:execute("CREATE TABLE ${t} (v INTEGER)"))
        fill(5)
        local c = count()
        print(c.n, c.s)
      `),
      ).toEqual(['5\t150']);
    });

    test('db calls inside pcall, including one that raises its error', async () => {
      expect(
        await prints(`
        print(pcall(function() return db:query("SELECT 1 AS one")[1].one end))
        print(pcall(db.query, db, "SELECT 2 AS two"))
        db:savepoint("p")
        local ok, e = pcall(function()
          local rows, err = db:query("SELECT * FROM no_such_table_bridge")
          if err then error(err) end
        end)
        print(ok, type(e), e:kind())
        db:rollback_to("p")
        print(db:query("SELECT 3 AS three")[1].three)
      `),
      ).toEqual(['true\t1', expect.stringMatching(/^true\ttable: /), 'false\ttable\tundefined', '3']);
    });

    test("db calls inside coroutine.wrap, yielding the coroutine's own values in between", async () => {
      const t = fresh();
      expect(
        await prints(`
        assert(db:execute("CREATE TABLE ${t} (v INTEGER)"))
        local gen = coroutine.wrap(function()
          for i = 1, 3 do
            assert(db:execute("INSERT INTO ${t} (v) VALUES (?)", { i }))
            coroutine.yield(i * 10)
          end
          local rows = db:query("SELECT sum(v) AS s FROM ${t}")
          coroutine.yield(rows[1].s)
          return "done"
        end)
        print(gen(), gen(), gen(), gen(), gen())
      `),
      ).toEqual(['10\t20\t30\t6\tdone']);
    });

    test('db calls inside coroutine.resume, with values passed in and out', async () => {
      expect(
        await prints(`
        local co = coroutine.create(function(a)
          local r = db:query("SELECT CAST(? AS INTEGER) AS x", { a })
          local b = coroutine.yield(r[1].x + 1)
          local r2 = db:query("SELECT CAST(? AS INTEGER) AS y", { b })
          return r2[1].y * 2, "end"
        end)
        print(coroutine.resume(co, 5))
        print(coroutine.status(co))
        print(coroutine.resume(co, 7))
        print(coroutine.status(co), coroutine.resume(co))
      `),
      ).toEqual(['true\t6', 'suspended', 'true\t14\tend', 'dead\tfalse\tcannot resume dead coroutine']);
    });

    test('db calls in coroutines nested three deep, and an error inside one', async () => {
      expect(
        await prints(`
        local function q(v) return db:query("SELECT CAST(? AS INTEGER) AS v", { v })[1].v end
        local outer = coroutine.wrap(function()
          local middle = coroutine.wrap(function()
            local inner = coroutine.wrap(function()
              coroutine.yield(q(1))
              coroutine.yield(q(2))
            end)
            coroutine.yield(inner() + inner() + q(10))
          end)
          coroutine.yield(middle() + q(100))
        end)
        print(outer())
        local co = coroutine.create(function() q(1); error("inside") end)
        local ok, err = coroutine.resume(co)
        print(ok, err, coroutine.status(co))
      `),
      ).toEqual(['113', expect.stringMatching(/^false\t\S+\.lua:\d+: inside\tdead$/)]);
    });

    test('coroutine.resume refuses what Lua refuses: itself, its parent, a dead coroutine, a non-coroutine', async () => {
      expect(
        await prints(`
        local function q() return db:query("SELECT 1 AS one")[1].one end
        print(coroutine.resume(coroutine.running()))
        local parent = coroutine.running()
        local co = coroutine.create(function()
          q()
          local ok, err = coroutine.resume(parent)
          local ok2, err2 = coroutine.resume(coroutine.running())
          return ok, err, ok2, err2, q()
        end)
        print(coroutine.resume(co))
        print(coroutine.resume(co))
        print(pcall(coroutine.resume, 42))
        local w = coroutine.wrap(function() return q() end)
        print(w())
        print(pcall(w))
      `),
      ).toEqual([
        'false\tcannot resume non-suspended coroutine',
        'true\tfalse\tcannot resume non-suspended coroutine\tfalse\tcannot resume non-suspended coroutine\t1',
        'false\tcannot resume dead coroutine',
        "false\tbad argument #1 to 'resume' (coroutine expected)",
        '1',
        'false\tcannot resume dead coroutine',
      ]);
    });

    test('db calls inside metamethods called by Lua code (__index, __add, __call)', async () => {
      expect(
        await prints(`
        local lazy = setmetatable({}, { __index = function(t, k)
          return db:query("SELECT CAST(? AS INTEGER) AS v", { #k })[1].v
        end })
        print(lazy.abc, lazy.hello)
        local n = setmetatable({}, {
          __add = function(a, b) return db:query("SELECT 40 AS v")[1].v + b end,
          __call = function(self, x) return db:query("SELECT CAST(? AS INTEGER) AS v", { x })[1].v end,
        })
        print(n + 2, n(9))
      `),
      ).toEqual(['3\t5', '42\t9']);
    });

    test('coroutine.yield at the top of a phase is a clear error and rolls back', async () => {
      const t = fresh();
      const { error } = await fails(`assert(db:execute("CREATE TABLE ${t} (v INTEGER)"))\ncoroutine.yield(1)`);
      expect(error.message).toMatch(/coroutine.yield\(\) was called outside a coroutine/);
      expect(await tableExists(t)).toBe(false);
    });

    if (pg) {
      test('a db call inside a table.sort comparator is refused with a clear error, before it is sent', async () => {
        const t = fresh();
        const seq = fresh('seq');
        await session.driver.exec(`CREATE SEQUENCE ${seq}`);
        const { error, output } = await fails(`
          assert(db:execute("CREATE TABLE ${t} (v INTEGER)"))
          print(db:query("SELECT nextval('${seq}') AS n")[1].n)
          local list = { 3, 1, 2 }
          local ok, err = pcall(table.sort, list, function(a, b)
            db:query("SELECT nextval('${seq}') AS n")
            return a < b
          end)
          print(ok, err)
          local n, err2 = db:query("SELECT count(*) AS n FROM ${t}")
          print(n, err2:kind())
        `);
        expect(output).toEqual([
          '1',
          expect.stringMatching(
            new RegExp(
              `^false\\t\\S+\\.lua:${UP_FIRST_LINE + 5}: this database call cannot wait for the engine here: a call from inside a table\\.sort comparator`,
            ),
          ),
          'nil\taborted',
        ]);
        expect(error.message).toMatch(
          /^a statement failed and the code went on without handling it: this database call cannot wait/,
        );
        expect(error.line).toBe(UP_FIRST_LINE + 5);
        expect(await tableExists(t)).toBe(false);
        // a sequence is not rolled back: the refused nextval never reached the engine
        const last = await session.driver.query(`SELECT last_value FROM ${seq}`, []);
        expect(Number(last.rows[0][0])).toBe(1);
      });

      test('the refusal names the line; pcall sees it as a string error', async () => {
        const { output, error } = await fails(`
          local ok, err = pcall(table.sort, { 2, 1 }, function(a, b) return db:query("SELECT 1 AS one")[1].one < 2 end)
          print(ok, err)
          local ok2, err2 = pcall(string.gsub, "ab", "%w", function(c) return db:query("SELECT 1 AS one")[1].one end)
          print(ok2, err2)
          local ok3, err3 = pcall(tostring, setmetatable({}, { __tostring = function() return db:query("SELECT 'x' AS x")[1].x end }))
          print(ok3, err3)
        `);
        expect(output).toHaveLength(3);
        for (const line of output)
          expect(line).toMatch(/^false\t\S+\.lua:\d+: this database call cannot wait for the engine here/);
        expect(output[0]).toContain(`:${UP_FIRST_LINE + 1}:`);
        expect(error.message).toMatch(/cannot wait for the engine here/);
      });

      test('a user coroutine making a db call from inside a table.sort comparator is refused too', async () => {
        const t = fresh();
        const { output, error } = await fails(`
          assert(db:execute("CREATE TABLE ${t} (v INTEGER)"))
          local ok, err = pcall(table.sort, { 2, 1 }, function(a, b)
            local co = coroutine.wrap(function() return db:execute("INSERT INTO ${t} (v) VALUES (1)") end)
            co()
            return a < b
          end)
          print(ok, err)
          print(select(2, db:query("SELECT 1 AS one")):kind())
        `);
        expect(output).toEqual([
          expect.stringMatching(/^false\t\S+\.lua:\d+: this database call cannot wait for the engine here/),
          'aborted',
        ]);
        expect(error.message).toMatch(/cannot wait for the engine here/);
        expect(await tableExists(t)).toBe(false);
      });
    } else {
      test('a db call inside a table.sort comparator just works (sql.js answers synchronously)', async () => {
        expect(
          await prints(`
          local list = { 3, 1, 2 }
          table.sort(list, function(a, b)
            local r = db:query("SELECT CAST(? AS INTEGER) < CAST(? AS INTEGER) AS lt", { a, b })
            return r[1].lt == 1
          end)
          print(table.concat(list, ","))
          print(tostring(setmetatable({}, { __tostring = function() return db:query("SELECT 'x' AS x")[1].x end })))
        `),
        ).toEqual(['1,2,3', 'x']);
      });
    }
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('the db object', () => {
    test('db:query rows are keyed by column; NULL is nil', async () => {
      expect(
        await prints(`
        local rows = db:query("SELECT 1 AS a, NULL AS b, 'x' AS c UNION ALL SELECT 2, 'y', NULL ORDER BY a")
        print(#rows, rows[1].a, rows[1].b, rows[1].c, rows[2].a, rows[2].b, rows[2].c)
        local keys = {}
        for k in pairs(rows[1]) do keys[#keys + 1] = k end
        table.sort(keys)
        print(table.concat(keys, ","))
        print(#db:query("SELECT 1 AS a WHERE 1 = 0"))
      `),
      ).toEqual(['2\t1\tnil\tx\t2\ty\tnil', 'a,c', '0']);
    });

    test('db:execute answers rows_affected; last_insert_id on SQLite only', async () => {
      const t = fresh();
      expect(
        await prints(`
        assert(db:execute("CREATE TABLE ${t} (${serial}, v INTEGER)"))
        local r = assert(db:execute("INSERT INTO ${t} (v) VALUES (1), (2), (3)"))
        print(r.rows_affected, r.last_insert_id)
        r = assert(db:execute("INSERT INTO ${t} (v) VALUES (?)", { 4 }))
        print(r.rows_affected, r.last_insert_id)
        print(db:execute("UPDATE ${t} SET v = v * 10 WHERE v > ?", { 1 }).rows_affected)
        print(db:execute("DELETE FROM ${t} WHERE v = 20").rows_affected)
        print(db:execute("UPDATE ${t} SET v = 0 WHERE v < 0").rows_affected)
      `),
      ).toEqual(pg ? ['3\tnil', '1\tnil', '3', '1', '0'] : ['3\t3', '1\t4', '3', '1', '0']);
    });

    test('db:prepare with stmt:execute, stmt:query and stmt:close; use after close is an error', async () => {
      const t = fresh();
      expect(
        await prints(`
        assert(db:execute("CREATE TABLE ${t} (v INTEGER, s TEXT)"))
        local ins = assert(db:prepare("INSERT INTO ${t} (v, s) VALUES (?, ?)"))
        for i, s in ipairs({ "a", "b", "c" }) do print(ins:execute({ i, s }).rows_affected) end
        local sel = assert(db:prepare("SELECT v, s FROM ${t} WHERE v >= ? ORDER BY v"))
        local rows = sel:query({ 2 })
        print(#rows, rows[1].v, rows[1].s, rows[2].s)
        print(#sel:query({ 1 }))
        print(ins:close(), ins:close())
        print(pcall(ins.execute, ins, { 9, "z" }))
        print(pcall(ins.query, ins, { 9, "z" }))
        print(pcall(sel.query))
        print(pcall(function() return ins:execute({ 9, "z" }) end))
        print(#db:query("SELECT * FROM ${t}"))
      `),
      ).toEqual([
        '1',
        '1',
        '1',
        '2\t2\tb\tc',
        '3',
        'true\ttrue',
        'false\tstmt:execute() on a closed statement: prepare it again',
        'false\tstmt:query() on a closed statement: prepare it again',
        'false\tcall stmt:query(...) with a colon, not stmt.query(...)',
        expect.stringMatching(/^false\t\S+\.lua:\d+: stmt:execute\(\) on a closed statement: prepare it again$/),
        '3',
      ]);
    });

    test('a prepare that fails answers nil, err and fails the migration', async () => {
      const { error, output } = await fails(`
        local stmt, err = db:prepare("SELEKT nothing")
        print(stmt, err:kind())
      `);
      expect(output).toEqual(['nil\tsyntax']);
      expect(error.message).toMatch(/a statement failed and the code went on without handling it/);
      expect(error.sql).toBe('SELEKT nothing');
      expect(error.line).toBe(UP_FIRST_LINE + 1);
    });

    test('db:db_type()', async () => {
      expect(await prints('print(db:db_type())')).toEqual([engine]);
    });

    test("db.query(...) with a dot is a clear error at the caller's line", async () => {
      const { error } = await fails('local x = 1\nlocal rows = db.query("SELECT 1")');
      expect(error.message).toBe('call db:query(...) with a colon, not db.query(...)');
      expect(error.line).toBe(UP_FIRST_LINE + 1);
      expect((await fails('db.execute("SELECT 1")')).error.message).toBe(
        'call db:execute(...) with a colon, not db.execute(...)',
      );
    });

    test('non-string SQL is a clear error', async () => {
      expect((await fails('db:query(42)')).error.message).toBe(
        'db:query(sql, params): sql must be a string, got a number',
      );
      expect((await fails('db:execute()')).error.message).toBe(
        'db:execute(sql, params): sql must be a string, got a nil',
      );
      expect((await fails('db:prepare({})')).error.message).toBe(
        'db:prepare(sql, params): sql must be a string, got a table',
      );
    });

    test.each([['commit'], ['rollback']])('db:%s() is refused: the runner owns the transaction', async (method) => {
      const t = fresh();
      const { error } = await fails(`assert(db:execute("CREATE TABLE ${t} (v INTEGER)"))\ndb:${method}()`);
      expect(error.message).toMatch(new RegExp(`^db:${method}\\(\\) is not allowed: the runner owns the transaction`));
      expect(error.line).toBe(UP_FIRST_LINE + 1);
      expect(await tableExists(t)).toBe(false);
    });

    test.each([
      ['COMMIT'],
      ['commit work'],
      ['END'],
      ['ROLLBACK'],
      ['BEGIN'],
      ['START TRANSACTION'],
      ['SELECT 1; COMMIT'],
      ['/* c */ -- c\n  Commit;'],
    ])('transaction control in SQL (%j) is refused: nothing commits early', async (control) => {
      const t = fresh();
      const { error, output } = await fails(`
        assert(db:execute("CREATE TABLE ${t} (v INTEGER)"))
        local r, err = db:execute(${JSON.stringify(control)})
        print(r, err and err:kind())
        error("failed after the statement")
      `);
      expect(output).toEqual(['nil\tpermission']);
      expect(error.message).toBe('failed after the statement');
      expect(await tableExists(t)).toBe(false);
    });

    test('ROLLBACK TO SAVEPOINT and statements that only mention the words are not refused', async () => {
      const t = fresh();
      expect(
        await prints(`
        assert(db:execute([[CREATE TABLE ${t} (v INTEGER, "end" TEXT)]]))
        assert(db:execute([[INSERT INTO ${t} (v, "end") VALUES (1, 'commit; rollback')]]))
        db:savepoint("raw")
        assert(db:execute("ROLLBACK TO SAVEPOINT raw"))
        local rows = assert(db:query([[SELECT CASE WHEN v = 1 THEN 'begin' ELSE 'x' END AS w, "end" FROM ${t}]]))
        print(rows[1].w, rows[1]["end"])
        ${
          pg
            ? `assert(db:execute([[DO $$ BEGIN PERFORM 1; END $$]]))
             assert(db:execute([[CREATE FUNCTION ${t}_f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END]]))
             print(db:query("SELECT ${t}_f() AS f")[1].f)`
            : `assert(db:execute([[CREATE TRIGGER ${t}_trg AFTER INSERT ON ${t} BEGIN
                 UPDATE ${t} SET v = v + 1 WHERE rowid = new.rowid;
               END]]))
             assert(db:execute("INSERT INTO ${t} (v) VALUES (10)"))
             print(db:query("SELECT max(v) AS f FROM ${t}")[1].f)`
        }
      `),
      ).toEqual(['begin\tcommit; rollback', pg ? '1' : '11']);
    });

    test('a bad savepoint name is a clear error', async () => {
      const { error } = await fails('db:savepoint("x; DROP TABLE users")');
      expect(error.message).toMatch(/the savepoint name must be a plain identifier/);
    });

    test('errors are values: tostring, kind, sql, concatenation', async () => {
      const t = fresh();
      const output = await prints(`
        assert(db:execute("CREATE TABLE ${t} (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)"))
        assert(db:execute("INSERT INTO ${t} (id, v) VALUES (1, 1)"))
        local function try(sql, params)
          db:savepoint("try")
          local r, err = db:execute(sql, params)
          local r2, err2 = db:execute("SELECT 1")
          db:rollback_to("try")
          assert(r == nil and r2 == nil)
          print(err:kind(), err2:kind(), err.sql == sql, type(tostring(err)), ("x" .. err) == "x" .. tostring(err),
            (err .. "y") == tostring(err) .. "y", #tostring(err) > 0)
          return err
        end
        try("SELEKT 1")
        try("INSERT INTO ${t} (id, v) VALUES (1, 2)")
        try("INSERT INTO ${t} (id, v) VALUES (2, NULL)")
        try("SELECT * FROM no_such_table_kinds")
        try("CREATE TABLE ${t} (v INTEGER)")
        local e = try("INSERT INTO ${t} (id, v) VALUES (?, ?)", { 1, 2, 3 })
        print(tostring(e))
        print(e.message == tostring(e), getmetatable(e) ~= nil)
        print(db:query("SELECT count(*) AS n FROM ${t}")[1].n)
      `);
      expect(output).toEqual([
        ...['syntax', 'constraint', 'constraint', 'undefined', 'exists', 'parameter'].map(
          (kind) => `${kind}\taborted\ttrue\tstring\ttrue\ttrue\ttrue`,
        ),
        '3 parameters given but the statement has 2 placeholders',
        'true\ttrue',
        '1',
      ]);
    });

    test("error(err) fails the migration with the engine's message, the SQL and the line", async () => {
      const t = fresh();
      const { error } = await fails(`
        assert(db:execute("CREATE TABLE ${t} (v INTEGER)"))
        local r, err = db:execute("INSERT INTO no_such_table_raise (v) VALUES (1)")
        if err then error(err) end
      `);
      expect(error.message).toMatch(
        pg ? /relation "no_such_table_raise" does not exist/ : /no such table: no_such_table_raise/,
      );
      expect(error.sql).toBe('INSERT INTO no_such_table_raise (v) VALUES (1)');
      expect(error.line).toBe(UP_FIRST_LINE + 3);
      expect(await tableExists(t)).toBe(false);
    });

    test('return db:execute(bad) fails the migration with the statement', async () => {
      const { error } = await fails('return db:execute("DROP TABLE no_such_table_returned")');
      expect(error.message).toMatch(/^up returned an error: /);
      expect(error.message).toMatch(/no_such_table_returned/);
      expect(error.sql).toBe('DROP TABLE no_such_table_returned');
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('parameters', () => {
    test('integers around 2^31 and 2^53 keep their values and are stored as integers', async () => {
      const t = fresh();
      const typeOf = pg ? `pg_typeof(i)::text` : 'typeof(i)';
      expect(
        await prints(`
        assert(db:execute("CREATE TABLE ${t} (n INTEGER, i BIGINT)"))
        local values = { 0, -1, 2147483647, -2147483648, 2^31, 2^31 + 1, 2^53, -(2^53), 2^40 * 3, 1e15 }
        for n, v in ipairs(values) do assert(db:execute("INSERT INTO ${t} (n, i) VALUES (?, ?)", { n, v })) end
        for _, row in ipairs(db:query("SELECT n, i, ${typeOf} AS t FROM ${t} ORDER BY n")) do
          print(row.n, math.type(row.i), ("%.0f"):format(row.i), row.i == values[row.n], row.t)
        end
      `),
      ).toEqual(
        [
          ['integer', '0'],
          ['integer', '-1'],
          ['integer', '2147483647'],
          ['integer', '-2147483648'],
          ['float', '2147483648'],
          ['float', '2147483649'],
          ['float', '9007199254740992'],
          ['float', '-9007199254740992'],
          ['float', '3298534883328'],
          ['float', '1000000000000000'],
        ].map(([type, text], i) => `${i + 1}\t${type}\t${text}\ttrue\t${pg ? 'bigint' : 'integer'}`),
      );
    });

    test('floats, booleans, UTF-8 strings', async () => {
      const t = fresh();
      const typeOf = (c: string) => (pg ? `pg_typeof(${c})::text` : `typeof(${c})`);
      const output = await prints(`
        assert(db:execute("CREATE TABLE ${t} (n INTEGER, f DOUBLE PRECISION, b BOOLEAN, s TEXT)"))
        local s = "h\\u{E9}llo w\\u{F6}rld \\u{2713} \\u{65E5}\\u{672C}\\u{8A9E} \\u{1F600}"
        assert(db:execute("INSERT INTO ${t} VALUES (?, ?, ?, ?)", { 1, 1.5, true, s }))
        assert(db:execute("INSERT INTO ${t} VALUES (?, ?, ?, ?)", { 2, 0.1, false, "" }))
        assert(db:execute("INSERT INTO ${t} VALUES (?, ?, ?, ?)", { 3, -1e300, nil, "it's \\"quoted\\" ?" }))
        for _, r in ipairs(db:query("SELECT n, f, b, s, length(s) AS len, ${typeOf('f')} AS tf, ${typeOf('b')} AS tb FROM ${t} ORDER BY n")) do
          print(r.n, math.type(r.f), r.f, r.b, r.s == ({ s, "", "it's \\"quoted\\" ?" })[r.n], r.len, r.tf, r.tb)
        end
        print(utf8.len(s), #s)
        print(db:query("SELECT ? AS s", { s })[1].s == s)
      `);
      expect(output).toEqual(
        pg
          ? [
              '1\tfloat\t1.5\ttrue\ttrue\t19\tdouble precision\tboolean',
              '2\tfloat\t0.1\tfalse\ttrue\t0\tdouble precision\tboolean',
              '3\tfloat\t-1e+300\tnil\ttrue\t15\tdouble precision\tboolean',
              '19\t32',
              'true',
            ]
          : [
              '1\tfloat\t1.5\t1\ttrue\t19\treal\tinteger',
              '2\tfloat\t0.1\t0\ttrue\t0\treal\tinteger',
              '3\tfloat\t-1e+300\tnil\ttrue\t15\treal\tnull',
              '19\t32',
              'true',
            ],
      );
    });

    test('nil holes, trailing missing values and sql.NULL are NULL', async () => {
      const t = fresh();
      expect(
        await prints(`
        local NULL = require("sql").NULL
        assert(db:execute("CREATE TABLE ${t} (n INTEGER, a INTEGER, b INTEGER, c INTEGER)"))
        assert(db:execute("INSERT INTO ${t} VALUES (?, ?, ?, ?)", { 1, 1, nil, 3 }))
        assert(db:execute("INSERT INTO ${t} VALUES (?, ?, ?, ?)", { 2, 1 }))
        assert(db:execute("INSERT INTO ${t} VALUES (?, ?, ?, ?)", { 3, NULL, NULL, 3 }))
        assert(db:execute("INSERT INTO ${t} VALUES (?, ?, ?, ?)", { [1] = 4, [4] = 4 }))
        assert(db:execute("INSERT INTO ${t} (n) VALUES (5)", {}))
        for _, r in ipairs(db:query("SELECT * FROM ${t} ORDER BY n")) do print(r.n, r.a, r.b, r.c) end
      `),
      ).toEqual(['1\t1\tnil\t3', '2\t1\tnil\tnil', '3\tnil\tnil\t3', '4\tnil\tnil\t4', '5\tnil\tnil\tnil']);
    });

    test('too many parameters is an error (kind parameter) that dooms the transaction', async () => {
      const t = fresh();
      const { error, output } = await fails(`
        assert(db:execute("CREATE TABLE ${t} (v INTEGER)"))
        local r, err = db:execute("INSERT INTO ${t} (v) VALUES (?)", { 1, 2 })
        print(r, err:kind(), tostring(err))
        local r2, err2 = db:execute("INSERT INTO ${t} (v) VALUES (3)")
        print(r2, err2:kind())
      `);
      expect(output).toEqual([
        'nil\tparameter\t2 parameters given but the statement has 1 placeholder',
        'nil\taborted',
      ]);
      expect(error.message).toMatch(/a statement failed and the code went on without handling it: 2 parameters given/);
      expect(error.line).toBe(UP_FIRST_LINE + 2);
      expect(await tableExists(t)).toBe(false);
    });

    test.each([
      ['a table', '{ 1 }', 'parameter 1 is a table'],
      ['a function', 'print', 'parameter 1 is a function'],
      ['a coroutine', 'coroutine.create(print)', 'parameter 1 is a thread'],
    ])('%s as a parameter is an error that dooms the transaction', async (_what, value, message) => {
      const t = fresh();
      const { error, output } = await fails(`
        assert(db:execute("CREATE TABLE ${t} (v INTEGER)"))
        local r, err = db:execute("INSERT INTO ${t} (v) VALUES (?)", { ${value} })
        print(r, err:kind())
        print(select(2, db:query("SELECT 1 AS one")):kind())
      `);
      expect(output).toEqual(['nil\tparameter', 'aborted']);
      expect(error.message).toContain(message);
      expect(error.message).toContain('parameters must be strings, numbers, booleans or nil (sql.NULL)');
      expect(error.sql).toBe(`INSERT INTO ${t} (v) VALUES (?)`);
      expect(error.line).toBe(UP_FIRST_LINE + 2);
      expect(await tableExists(t)).toBe(false);
    });

    test('text goes to the engine byte for byte: bytes that are not UTF-8 are refused, not changed', async () => {
      const t = fresh();
      const output = await prints(`
        assert(db:execute("CREATE TABLE ${t} (v TEXT, w TEXT)"))
        local text = "caf\\u{E9} \\u{1F600} \\u{10FFFF}"
        assert(db:execute("INSERT INTO ${t} (v) VALUES (?)", { text }))
        local rows = assert(db:query("SELECT v FROM ${t} WHERE v = '" .. text .. "'"))
        print(#rows, rows[1].v == text, #rows[1].v)
        print(pcall(function() return db:execute("INSERT INTO ${t} (v) VALUES ('\\xff')") end))
        print(pcall(function() return db:query("SELECT 1 AS one -- \\xc3") end))
      `);
      expect(output[0]).toBe('1\ttrue\t15');
      const refused = (method: string, line: number) =>
        new RegExp(
          `^false\\t\\S+\\.lua:${line}: db:${method}\\(sql, params\\): the SQL is not valid UTF-8 text; encode binary data`,
        );
      expect(output[1]).toMatch(refused('execute', UP_FIRST_LINE + 6));
      expect(output[2]).toMatch(refused('query', UP_FIRST_LINE + 7));

      const u = fresh();
      const { error, output: failed } = await fails(`
        assert(db:execute("CREATE TABLE ${u} (v TEXT, w TEXT)"))
        local r, err = db:execute("INSERT INTO ${u} (v, w) VALUES (?, ?)", { "ok", "\\xff\\xfe" })
        print(r, err:kind())
      `);
      expect(failed).toEqual(['nil\tparameter']);
      expect(error.message).toContain('parameter 2 is not valid UTF-8 text: strings are bound as text');
      expect(error.line).toBe(UP_FIRST_LINE + 2);
      expect(await tableExists(u)).toBe(false);
    });

    test('params that are not an array are an error', async () => {
      expect(
        await prints(`
        db:savepoint("p")
        local _, e1 = db:query("SELECT CAST(? AS INTEGER) AS v", { x = 1 })
        db:rollback_to("p")
        local _, e2 = db:query("SELECT CAST(? AS INTEGER) AS v", "1")
        db:rollback_to("p")
        print(e1:kind(), tostring(e1))
        print(e2:kind(), tostring(e2))
      `),
      ).toEqual([
        'parameter\tparameters must be an array: use {value1, value2, ...}, not named keys',
        'parameter\tparameters must be a table (an array of values), got a string',
      ]);
    });

    test('a BIGINT beyond 2^53 comes back as a string', async () => {
      const t = fresh();
      expect(
        await prints(`
        assert(db:execute("CREATE TABLE ${t} (i BIGINT)"))
        assert(db:execute("INSERT INTO ${t} (i) VALUES (?)", { "9007199254740993" }))
        assert(db:execute("INSERT INTO ${t} (i) VALUES (9223372036854775807)"))
        assert(db:execute("INSERT INTO ${t} (i) VALUES (-9223372036854775807)"))
        for _, r in ipairs(db:query("SELECT i FROM ${t} ORDER BY i")) do print(type(r.i), r.i) end
        local big = db:query("SELECT i FROM ${t} WHERE i > ? ORDER BY i", { 2^53 })
        print(#big, big[1].i)
      `),
      ).toEqual([
        'string\t-9223372036854775807',
        'string\t9007199254740993',
        'string\t9223372036854775807',
        '2\t9007199254740993',
      ]);
    });

    test('? inside string literals, quoted names and comments is not a placeholder', async () => {
      expect(
        await prints(`
        local r = db:query([[SELECT '?' AS q, 'it''s ?' AS r, CAST(? AS INTEGER) AS p, "?" AS s /* ? */ -- ?
          FROM (SELECT 1 AS "?") AS x]], { 5 })
        print(r[1].q, r[1].r, r[1].p, r[1].s)
        print(db:query("SELECT '?' AS q")[1].q)
      `),
      ).toEqual(["?\tit's ?\t5\t1", '?']);
    });

    if (pg) {
      test('jsonb ? operators work without params, and as ?? with params', async () => {
        expect(
          await prints(`
          local r = db:query([[SELECT '{"a":1}'::jsonb ? 'a' AS has_a, '{"a":1}'::jsonb ? 'b' AS has_b,
            '{"a":1}'::jsonb ?| array['x','a'] AS any_of, '{"a":1}'::jsonb ?& array['x','a'] AS all_of]])
          print(r[1].has_a, r[1].has_b, r[1].any_of, r[1].all_of)
          local p = db:query([[SELECT '{"a":1}'::jsonb ?? ? AS has, CAST(? AS INTEGER) AS n]], { "a", 7 })
          print(p[1].has, p[1].n)
          print(db:query("SELECT $1::int + $2::int AS s", { 2, 3 })[1].s)
        `),
        ).toEqual(['true\tfalse\ttrue\tfalse', 'true\t7', '5']);
      });
    }
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('savepoints and the doomed transaction', () => {
    test('rolling back to a savepoint taken before a failed statement lets the migration succeed', async () => {
      const t = fresh();
      const name = fileName('savepoint');
      const { result, output } = await runUp(
        session.driver,
        [
          {
            name,
            text: migration(`
          assert(db:execute("CREATE TABLE ${t} (v INTEGER UNIQUE)"))
          assert(db:execute("INSERT INTO ${t} (v) VALUES (1)"))
          db:savepoint("s")
          local r, err = db:execute("INSERT INTO ${t} (v) VALUES (1)")
          print(r, err:kind())
          print(select(2, db:execute("INSERT INTO ${t} (v) VALUES (2)")):kind())
          print(db:rollback_to("s"))
          assert(db:execute("INSERT INTO ${t} (v) VALUES (3)"))
          print(db:release("s"))
        `),
          },
        ],
        { host: session.host },
      );
      expect(result.error).toBeNull();
      expect(output).toEqual(['nil\tconstraint', 'aborted', 'true', 'true']);
      const rows = await session.driver.query(`SELECT v FROM ${t} ORDER BY v`, []);
      expect(rows.rows.map((r) => Number(r[0]))).toEqual([1, 3]);
      const ledger = await session.driver.query(`SELECT id FROM _migrations WHERE id = ${pg ? '$1' : '?'}`, [
        name.slice(0, -4),
      ]);
      expect(ledger.rows).toHaveLength(1);
    });

    test("without the rollback the migration fails with the first statement's message, SQL and line", async () => {
      const t = fresh();
      const { error } = await fails(`
        assert(db:execute("CREATE TABLE ${t} (v INTEGER UNIQUE)"))
        db:savepoint("s")
        db:execute("INSERT INTO no_such_table_doomed (v) VALUES (1)")
        db:execute("INSERT INTO ${t} (v) VALUES (2)")
        db:execute("INSERT INTO ${t} (v) VALUES (3)")
      `);
      expect(error.phase).toBe('up');
      expect(error.message).toMatch(/a statement failed and the code went on without handling it/);
      expect(error.message).toMatch(
        pg ? /relation "no_such_table_doomed" does not exist/ : /no such table: no_such_table_doomed/,
      );
      expect(error.sql).toBe('INSERT INTO no_such_table_doomed (v) VALUES (1)');
      expect(error.line).toBe(UP_FIRST_LINE + 3);
      expect(await tableExists(t)).toBe(false);
    });

    test('a savepoint taken after the failure does not lift it', async () => {
      const { error, output } = await fails(`
        db:execute("SELECT * FROM no_such_table_late")
        local ok, err = db:savepoint("late")
        print(ok, err:kind())
        print(db:rollback_to("late"))
      `);
      expect(output[0]).toBe('nil\taborted');
      expect(error.message).toMatch(/no_such_table_late/);
      expect(error.line).toBe(UP_FIRST_LINE + 1);
    });

    test('rolling back to an unknown savepoint is an error value', async () => {
      const { output } = await fails(`
        local ok, err = db:rollback_to("never_taken")
        print(ok, err:kind(), tostring(err))
      `);
      expect(output).toEqual([
        'nil\tundefined\tno savepoint named never_taken: call db:savepoint("never_taken") first',
      ]);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('errors carry file:line', () => {
    test('a runtime error in up reports its line', async () => {
      const name = fileName('runtime');
      const { result } = await runUp(
        session.driver,
        [
          {
            name,
            text: migration('local a = 1\nlocal b = 2\nlocal t = nil\nprint(t.field)'),
          },
        ],
        { host: session.host },
      );
      expect(result.ok).toBe(false);
      expect(result.error).toMatchObject({
        migration: name.slice(0, -4),
        phase: 'up',
        file: name,
        line: UP_FIRST_LINE + 3,
      });
      expect(result.error!.message).toMatch(/attempt to index a nil value \(local 't'\)/);
    });

    test('an error after database calls (after the coroutine was resumed) reports its line', async () => {
      const { error } = await fails(`
        local rows = db:query("SELECT 1 AS one")
        db:query("SELECT 2 AS two")
        error("after the calls: " .. rows[1].one)
      `);
      expect(error.message).toBe('after the calls: 1');
      expect(error.line).toBe(UP_FIRST_LINE + 3);
    });

    test('an error raised in a function defined elsewhere reports the line that raised it', async () => {
      const { error } = await fails(`
        local function check(v)
          if v > 1 then error("too big: " .. v) end
        end
        db:query("SELECT 1 AS one")
        check(2)
      `);
      expect(error.message).toBe('too big: 2');
      expect(error.line).toBe(UP_FIRST_LINE + 2);
    });

    test('error with a table value and error(nil) are reported clearly', async () => {
      expect((await fails('error({ message = "from a table" })')).error.message).toBe('from a table');
      expect((await fails('error()')).error.message).toMatch(/error\(nil\) was raised/);
      expect(
        (await fails('error(setmetatable({}, { __tostring = function() return "custom" end }))')).error.message,
      ).toBe('custom');
    });

    test('a syntax error is a LoadError with the file and line', () => {
      const source = migration('local x = = 1');
      let caught: unknown;
      try {
        session.host.compile('0001_broken.lua', source);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(LoadError);
      const failure = (caught as LoadError).failure;
      expect(failure.file).toBe('0001_broken.lua');
      expect(failure.line).toBe(UP_FIRST_LINE);
      expect(failure.message).toMatch(/unexpected symbol near '='/);
    });

    // One set of DSL functions serves every file (prelude): they must refuse to run outside define, and a file
    // stopped inside define must not hand its half-built definition to the next file.
    test('the DSL works only while define runs; a file stopped inside define leaves nothing to the next', () => {
      const loadFailure = (name: string, text: string) => {
        try {
          session.host.compile(name, text);
        } catch (e) {
          if (e instanceof LoadError) return e.failure;
          throw e;
        }
        throw new Error(`${name} was expected not to load`);
      };
      const kept = loadFailure(
        '0001_kept.lua',
        'local m\nrequire("migration").define(function() m = migration; migration("a", function() end) end)\nm("b", function() end)\n',
      );
      expect(kept.line).toBe(3);
      expect(kept.message).toMatch(/^migration\(\.\.\.\) must be called inside require\('migration'\)\.define/);
      const nested = loadFailure(
        '0002_nested.lua',
        'return require("migration").define(function()\n  require("migration").define(function() end)\nend)\n',
      );
      expect(nested.message).toMatch(/define is called twice/);
      const runaway = loadFailure(
        '0003_runaway.lua',
        'return require("migration").define(function()\n  migration("runaway", function()\n' +
          '    database("sqlite", function() up(function() end) while true do end end)\n  end)\nend)\n',
      );
      expect(runaway.limit).toBe('instruction_limit');
      const next = session.host.compile('0004_next.lua', migration('', { engines: ['postgres'], description: 'next' }));
      expect(next.description).toBe('next');
      expect(Object.keys(next.blocks)).toEqual(['postgres']);
      session.host.release(next);
    });

    test('a syntax error stops the run in the load phase, naming the file and line', async () => {
      const name = fileName('syntax');
      const { result } = await runUp(
        session.driver,
        [{ name, text: `-- header\n${migration('print("never")\nif then')}` }],
        { host: session.host },
      );
      expect(result.ok).toBe(false);
      expect(result.error).toMatchObject({
        migration: name.slice(0, -4),
        phase: 'load',
        file: name,
        line: UP_FIRST_LINE + 2,
      });
    });

    test('a runtime error at the top level of a file is a load error with its line', async () => {
      const name = fileName('toplevel');
      const { result } = await runUp(
        session.driver,
        [{ name, text: `local x = nil\nlocal y = x.field\n${migration('')}` }],
        { host: session.host },
      );
      expect(result.error).toMatchObject({ phase: 'load', file: name, line: 2 });
      expect(result.error!.message).toMatch(/attempt to index a nil value/);
    });
  });
});
