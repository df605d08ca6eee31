/**
 * What `stmt:execute` / `db:execute` answer, and that answering less when the code keeps nothing changes nothing it
 * can see: a call statement (`stmt:execute(row)` alone on its line) gets no result table built and, on sql.js, no
 * second statement for last_insert_rowid. Against real sql.js and PGlite; also the parameter tables read straight
 * from fengari's table storage (holes, removed keys, float keys, metatables, non-ASCII and invalid UTF-8 strings).
 */
import { describe, expect, test } from 'vitest';
import { IN_PROCESS_ENGINES, UP_FIRST_LINE, useLuaSession } from '../helpers/migration.ts';

let tables = 0;
const fresh = (label = 'r') => `${label}_${++tables}`;

describe.each(IN_PROCESS_ENGINES)('statement results on %s', (engine, open) => {
  const pg = engine === 'postgres';
  const serial = pg ? 'id SERIAL PRIMARY KEY' : 'id INTEGER PRIMARY KEY';
  const session = useLuaSession(open);
  const { run, prints } = session;

  test('a kept result has rows_affected and, on SQLite, the id of the row just inserted', async () => {
    const t = fresh();
    expect(
      await prints(`
      assert(db:execute("CREATE TABLE ${t} (${serial}, v INTEGER)"))
      local ins = assert(db:prepare("INSERT INTO ${t} (v) VALUES (?)"))
      for i = 1, 3 do ins:execute({ i }) end
      local r = ins:execute({ 4 })
      print(r.rows_affected, r.last_insert_id)
      local up = assert(db:prepare("UPDATE ${t} SET v = v + 1 WHERE v > ?"))
      r = up:execute({ 1 })
      print(r.rows_affected, r.last_insert_id)
      print(up:execute({ 100 }).rows_affected)
    `),
    ).toEqual(pg ? ['1\tnil', '3\tnil', '0'] : ['1\t4', '3\tnil', '0']);
  });

  test('results discarded by call statements: the rows are still written', async () => {
    const t = fresh();
    expect(
      await prints(`
      assert(db:execute("CREATE TABLE ${t} (${serial}, v INTEGER)"))
      local ins = assert(db:prepare("INSERT INTO ${t} (v) VALUES (?)"))
      for i = 1, 50 do ins:execute({ i }) end
      db:execute("INSERT INTO ${t} (v) VALUES (?)", { 51 })
      local r = ins:execute({ 52 })
      print(r.rows_affected, r.last_insert_id)
      local c = db:query("SELECT count(*) AS n, sum(v) AS s FROM ${t}")[1]
      print(c.n, c.s)
    `),
    ).toEqual([pg ? '1\tnil' : '1\t52', `52\t${(52 * 53) / 2}`]);
  });

  test('a failing statement whose result is discarded still fails the migration and rolls it back', async () => {
    const t = fresh();
    const { result } = await run(`
      assert(db:execute("CREATE TABLE ${t} (id INTEGER PRIMARY KEY)"))
      local ins = assert(db:prepare("INSERT INTO ${t} (id) VALUES (?)"))
      ins:execute({ 1 })
      ins:execute({ 1 })
      ins:execute({ 2 })
    `);
    expect(result.ok).toBe(false);
    expect(result.error?.line).toBe(UP_FIRST_LINE + 4);
    expect(result.error?.sql).toBe(`INSERT INTO ${t} (id) VALUES (${pg ? '$1' : '?'})`);
    const exists = pg
      ? await session.driver.query('SELECT 1 FROM information_schema.tables WHERE table_name = $1', [t])
      : await session.driver.query(`SELECT 1 FROM sqlite_master WHERE name = ?`, [t]);
    expect(exists.rows).toEqual([]);
  });

  test('results taken through pcall, select, a table constructor and a return are complete', async () => {
    const t = fresh();
    expect(
      await prints(`
      assert(db:execute("CREATE TABLE ${t} (${serial}, v INTEGER)"))
      local ins = assert(db:prepare("INSERT INTO ${t} (v) VALUES (?)"))
      local ok, r = pcall(ins.execute, ins, { 1 })
      print(ok, r.rows_affected, r.last_insert_id)
      print(select("#", ins:execute({ 2 })), ({ ins:execute({ 3 }) })[1].last_insert_id)
      local function via_return() return ins:execute({ 4 }) end
      print(via_return().last_insert_id)
    `),
    ).toEqual(pg ? ['true\t1\tnil', '1\tnil', 'nil'] : ['true\t1\t1', '1\t3', '4']);
  });

  if (pg) return;

  // SQLite only: last_insert_id is SQLite's last_insert_rowid() --------------------------------------------------

  test('last_insert_id after an insert whose trigger inserts elsewhere is the row of the statement', async () => {
    const t = fresh();
    expect(
      await prints(`
      assert(db:execute("CREATE TABLE ${t} (id INTEGER PRIMARY KEY, v INTEGER)"))
      assert(db:execute("CREATE TABLE ${t}_log (id INTEGER PRIMARY KEY, v INTEGER)"))
      assert(db:execute([[CREATE TRIGGER ${t}_trg AFTER INSERT ON ${t}
        BEGIN INSERT INTO ${t}_log (id, v) VALUES (NEW.id + 1000, NEW.v); END]]))
      local ins = assert(db:prepare("INSERT INTO ${t} (id, v) VALUES (?, ?)"))
      local r = ins:execute({ 7, 70 })
      print(r.rows_affected, r.last_insert_id)
      ins:execute({ 8, 80 })
      r = db:execute("INSERT INTO ${t} (id, v) VALUES (?, ?)", { 9, 90 })
      print(r.rows_affected, r.last_insert_id)
      print(db:query("SELECT count(*) AS n, max(id) AS m FROM ${t}_log")[1].n, db:query("SELECT max(id) AS m FROM ${t}_log")[1].m)
    `),
    ).toEqual(['1\t7', '1\t9', '3\t1009']);
  });

  test("last_insert_id after a failed insert (recovered with a savepoint) is the next insert's", async () => {
    const t = fresh();
    expect(
      await prints(`
      assert(db:execute("CREATE TABLE ${t} (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)"))
      local ins = assert(db:prepare("INSERT INTO ${t} (id, v) VALUES (?, ?)"))
      print(ins:execute({ 5, 1 }).last_insert_id)
      db:savepoint("before")
      local r, err = ins:execute({ 6, nil })
      print(r, err:kind())
      db:rollback_to("before")
      ins:execute({ 7, 1 })
      db:savepoint("again")
      print(ins:execute({ 7, 1 }))
      db:rollback_to("again")
      r = ins:execute({ 8, 1 })
      print(r.rows_affected, r.last_insert_id)
    `),
    ).toEqual(['5', 'nil\tconstraint', `nil\tUNIQUE constraint failed: ${t}.id`, '1\t8']);
  });

  test('last_insert_id after INSERT … RETURNING run by execute, and the rows when run by query', async () => {
    const t = fresh();
    expect(
      await prints(`
      assert(db:execute("CREATE TABLE ${t} (id INTEGER PRIMARY KEY, v INTEGER)"))
      local ins = assert(db:prepare("INSERT INTO ${t} (v) VALUES (?), (?) RETURNING id, v * 2 AS d"))
      local r = ins:execute({ 1, 2 })
      print(r.rows_affected, r.last_insert_id)
      local rows = ins:query({ 3, 4 })
      print(#rows, rows[1].id, rows[1].d, rows[2].id, rows[2].d)
      print(db:execute("INSERT INTO ${t} (v) VALUES (5) RETURNING id").last_insert_id)
    `),
    ).toEqual(['2\t2', '2\t3\t6\t4\t8', '5']);
  });

  test('a rowid beyond 2^53 comes back exactly, as a string', async () => {
    const t = fresh();
    expect(
      await prints(`
      assert(db:execute("CREATE TABLE ${t} (id INTEGER PRIMARY KEY)"))
      local ins = assert(db:prepare("INSERT INTO ${t} (id) VALUES (?)"))
      local r = ins:execute({ "9007199254740993" })
      print(type(r.last_insert_id), r.last_insert_id)
      r = ins:execute({ 2^53 - 1 })
      print(math.type(r.last_insert_id), string.format("%.0f", r.last_insert_id))
    `),
    ).toEqual(['string\t9007199254740993', 'float\t9007199254740991']);
  });
});

describe.each(IN_PROCESS_ENGINES)('parameter tables on %s', (engine, open) => {
  const session = useLuaSession(open);
  const { prints } = session;

  const cast = engine === 'postgres' ? '::text' : '';

  test('keys set and then removed, float keys and metatables: only raw array items count', async () => {
    expect(
      await prints(`
      local p = { 1, 2, 3 }
      p[3] = nil
      local q = db:prepare("SELECT ?${cast} AS a, ?${cast} AS b, ?${cast} AS c")
      local r = q:query(p)[1]
      print(r.a, r.b, r.c)
      r = q:query({ [1.0] = "x", [2.0] = "y", [3] = "z" })[1]
      print(r.a, r.b, r.c)
      r = q:query(setmetatable({ "m" }, { __index = function() return "from __index" end }))[1]
      print(r.a, r.b, r.c)
      local t = { "a", "b", "c", extra = 1 }
      t.extra = nil
      r = q:query(t)[1]
      print(r.a, r.b, r.c)
    `),
    ).toEqual(['1\t2\tnil', 'x\ty\tz', 'm\tnil\tnil', 'a\tb\tc']);
  });

  test('too many items beyond a hole and named keys are errors, as before', async () => {
    expect(
      await prints(`
      local q = db:prepare("SELECT ?${cast} AS a, ?${cast} AS b")
      db:savepoint("p")
      print(select(2, q:query({ 1, 2, [5] = 5 })))
      db:rollback_to("p")
      print(select(2, q:query({ 1, n = 2 })))
      db:rollback_to("p")
      print(select(2, q:query({ 1, {} })))
      db:rollback_to("p")
    `),
    ).toEqual([
      '5 parameters given but the statement has 2 placeholders',
      'parameters must be an array: use {value1, value2, ...}, not named keys',
      'parameter 2 is a table: parameters must be strings, numbers, booleans or nil (sql.NULL)',
    ]);
  });

  test('strings: ASCII and UTF-8 reach the engine as they are; invalid UTF-8 is refused, not replaced', async () => {
    expect(
      await prints(`
      local q = db:prepare("SELECT ?${cast} AS s, length(?${cast}) AS n")
      for _, s in ipairs({ "", "item 42", "héllo wörld", "日本語", "😀" }) do
        local r = q:query({ s, s })[1]
        print(r.s, r.n)
      end
      db:savepoint("p")
      local r, err = q:query({ "a", "a\\xffb" })
      print(r, err:kind(), tostring(err))
      db:rollback_to("p")
    `),
    ).toEqual([
      '\t0',
      'item 42\t7',
      'héllo wörld\t11',
      '日本語\t3',
      '😀\t1',
      'nil\tparameter\tparameter 2 is not valid UTF-8 text: strings are bound as text, and changing bytes would change ' +
        'the data; encode binary data first (as hex, for instance)',
    ]);
  });
});
