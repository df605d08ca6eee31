/**
 * The Lua sandbox and the runaway-code limits, through the real runner on sql.js: escapes must fail with a clear
 * error (or be nil) and reach nothing on the host; one file cannot change what the next file sees; endless loops,
 * deep recursion and memory bombs are stopped and rolled back.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Driver } from '../../src/core/driver.ts';
import { LuaHost } from '../../src/core/lua/host.ts';
import { openSqlJs } from '../../src/drivers/sqljs.ts';
import { ledgerIds, tableExists } from '../helpers/db-inspect.ts';
import { fileName, migration, runBody, runUp, smallHost, UP_FIRST_LINE, type Outcome } from '../helpers/migration.ts';

const tmp = mkdtempSync(join(tmpdir(), 'moonwalk-sandbox-'));
let driver: Driver;
/** One host for the whole file, as the CLI shares one between runs. */
let host: LuaHost;

beforeAll(async () => {
  driver = await openSqlJs();
  host = smallHost();
});
afterAll(async () => {
  await driver.close();
  rmSync(tmp, { recursive: true, force: true });
});

const lua = (s: string) => JSON.stringify(s); // a JS string as a Lua string literal (ASCII paths only)

function run(body: string): Promise<Outcome> {
  return runBody(driver, body, { host });
}

/** Runs `body` expecting the migration to fail; returns the run's error. */
async function fails(body: string) {
  const { result } = await run(body);
  expect(result.ok, 'the migration should have failed').toBe(false);
  expect(result.error).not.toBeNull();
  return result.error!;
}

/** Runs `body` expecting success; returns what it printed. */
async function prints(body: string): Promise<string[]> {
  const { result, output } = await run(body);
  expect(result.error).toBeNull();
  expect(result.ok).toBe(true);
  return output;
}

describe('sandbox: the os library', () => {
  test('os.execute is nil and cannot run a command', async () => {
    const marker = join(tmp, 'executed');
    const error = await fails(`os.execute("touch " .. ${lua(marker)})`);
    expect(error.message).toMatch(/attempt to call a nil value \(field 'execute'\)/);
    expect(error.line).toBe(UP_FIRST_LINE);
    expect(existsSync(marker)).toBe(false);
  });

  test('os.exit is nil: the process lives on', async () => {
    const error = await fails('os.exit(3)');
    expect(error.message).toMatch(/attempt to call a nil value \(field 'exit'\)/);
    expect(process.exitCode ?? 0).toBe(0);
  });

  test('os.getenv is nil: no environment reaches the code', async () => {
    expect(await prints('print(os.getenv, type(os.getenv))')).toEqual(['nil\tnil']);
    const error = await fails('return os.getenv("HOME")');
    expect(error.message).toMatch(/attempt to call a nil value \(field 'getenv'\)/);
  });

  test('os.remove, os.rename, os.tmpname are nil: no file is touched', async () => {
    const victim = join(tmp, 'victim.txt');
    writeFileSync(victim, 'keep me');
    const error = await fails(`os.remove(${lua(victim)})`);
    expect(error.message).toMatch(/attempt to call a nil value \(field 'remove'\)/);
    expect(existsSync(victim)).toBe(true);
    expect(await prints('print(os.rename, os.tmpname, os.setlocale)')).toEqual(['nil\tnil\tnil']);
  });

  test('os.time, os.date, os.clock and os.difftime work', async () => {
    expect(
      await prints('print(math.type(os.time()), type(os.date("%Y")), type(os.clock()), os.difftime(10, 4))'),
    ).toEqual(['integer\tstring\tnumber\t6.0']);
  });
});

describe('sandbox: missing libraries and functions', () => {
  test.each([
    ['io'],
    ['debug'],
    ['package'],
    ['dofile'],
    ['loadfile'],
    ['js'],
    ['fengari'],
    ['loadstring'],
    ['module'],
    ['setfenv'],
    ['newproxy'],
  ])('%s is nil', async (name) => {
    expect(await prints(`print(${name} == nil, rawget(_G, ${lua(name)}) == nil)`)).toEqual(['true\ttrue']);
  });

  test('using io fails with a clear error and writes nothing', async () => {
    const target = join(tmp, 'written.txt');
    const error = await fails(`io.open(${lua(target)}, "w"):write("x")`);
    expect(error.message).toMatch(/attempt to index a nil value \(global 'io'\)/);
    expect(existsSync(target)).toBe(false);
  });

  test('dofile of a real Lua file fails: nothing is read', async () => {
    const script = join(tmp, 'evil.lua');
    writeFileSync(script, 'print("ran from disk")\nreturn 42\n');
    const { result, output } = await run(`print(dofile(${lua(script)}))`);
    expect(result.ok).toBe(false);
    expect(result.error!.message).toMatch(/attempt to call a nil value \(global 'dofile'\)/);
    expect(output).toEqual([]);
  });

  test.each([['os'], ['io'], ['js'], ['debug'], ['package'], ['fengari'], ['string']])(
    'require(%j) is refused with a clear message',
    async (name) => {
      const error = await fails(`local m = require(${lua(name)})`);
      expect(error.message).toContain(`module "${name}" is not available in a migration`);
      expect(error.message).toContain('only "migration" and "sql" can be required');
      expect(error.line).toBe(UP_FIRST_LINE);
    },
  );

  test('require of "migration" and "sql" work', async () => {
    expect(await prints('print(type(require("migration").define), type(require("sql").NULL))')).toEqual([
      'function\tuserdata',
    ]);
  });
});

describe('sandbox: load and string.dump', () => {
  test('a binary chunk is refused by load (text mode only)', async () => {
    expect(
      await prints(`
      local f, err = load("\\27Lua\\83\\0\\25\\147\\13\\10\\26\\10")
      print(f, err)
      print(load("\\27Lua", "x", "b"))
      print(load("\\27Lua", "x", "bt"))
      local parts = { "\\27Lua\\83", "\\0" }
      print(load(function() return table.remove(parts, 1) end))
    `),
    ).toEqual([
      "nil\tattempt to load a binary chunk (mode is 't')",
      'nil\tonly text chunks can be loaded in a migration',
      'nil\tonly text chunks can be loaded in a migration',
      "nil\tattempt to load a binary chunk (mode is 't')",
    ]);
  });

  test('load of text works, and "return os" gives the file\'s restricted os', async () => {
    expect(
      await prints(`
      local o = load("return os")()
      print(o == os, o.execute, o.getenv, type(o.time))
      print(load("return 1 + 2")())
      local env = { x = 5 }
      print(load("return x", "chunk", "t", env)())
      print(pcall(load("return os.time()", "chunk", "t", {})))
      local f = load("return _G")
      print(f() == _G)
    `),
    ).toEqual([
      'true\tnil\tnil\tfunction',
      '3',
      '5',
      'false\t[string "chunk"]:1: attempt to index a nil value (global \'os\')',
      'true',
    ]);
  });

  test('string.dump is nil, also through a string value', async () => {
    expect(await prints('print(string.dump, ("").dump, ("x").dump, string["dump"])')).toEqual(['nil\tnil\tnil\tnil']);
    const error = await fails('local s = string.dump(function() end)');
    expect(error.message).toMatch(/attempt to call a nil value \(field 'dump'\)/);
  });
});

describe('sandbox: print', () => {
  test("print output is captured, never written to the host's stdout", async () => {
    expect(await prints('print("a", 1, 2.5, nil, true, {} ~= nil)')).toEqual(['a\t1\t2.5\tnil\ttrue\ttrue']);
  });

  test("print output is capped, so printing big strings in a loop cannot fill the host's memory", async () => {
    const output = await prints(`
      local s = string.rep("x", 1024 * 1024)
      for i = 1, 200 do print(s, i) end
    `);
    expect(output).toHaveLength(1);
    expect(output[0].length).toBeLessThan(1_000_200);
    expect(output[0]).toMatch(/x … \(output cut: more than 1,000,000 characters printed\)$/);
    // the next phase starts with a fresh allowance
    expect(await prints('print("again")')).toEqual(['again']);
  });
});

describe('sandbox: metatables and the environment', () => {
  test('the string metatable is not reachable', async () => {
    expect(await prints('print(getmetatable(""), getmetatable("abc"))')).toEqual(['false\tfalse']);
    const error = await fails('local index = getmetatable("").__index');
    expect(error.message).toMatch(/attempt to index a boolean value/);
    expect(await prints('print(pcall(setmetatable, "", {}))')).toEqual([
      expect.stringMatching(/^false\tbad argument #1 to '(setmetatable|\?)' \(table expected, got string\)$/),
    ]);
  });

  test('library tables are protected proxies', async () => {
    expect(
      await prints(`
      print(getmetatable(string), getmetatable(table), getmetatable(os), getmetatable(_G))
      print(pcall(setmetatable, string, {}))
    `),
    ).toEqual(['false\tfalse\tfalse\tfalse', 'false\tcannot change a protected metatable']);
  });

  test("_G is the file's own environment", async () => {
    expect(
      await prints(`
      print(_G == _ENV, _G._G == _G)
      some_global = 42
      print(_G.some_global, rawget(_G, "some_global"))
      _G.other = "o"
      print(other)
    `),
    ).toEqual(['true\ttrue', '42\t42', 'o']);
  });

  test('changing string.upper, a global or a library in one file does not affect the next file', async () => {
    const first = migration(`
      string.upper = function() return "hacked" end
      rawset(string, "lower", function() return "hacked" end)
      table.insert = nil
      math.pi = 3
      os.time = function() return 0 end
      leaked_global = "leak"
      print = function() end
      tostring = function() return "hacked" end
      pcall(setmetatable, _G, { __index = function() return "from the metatable" end })
    `);
    const second = migration(`
      print(string.upper("a"), ("a"):upper(), string.lower("B"), ("B"):lower())
      print(type(table.insert), math.pi, os.time() > 0, leaked_global, tostring(1))
      print(undefined_name)
    `);
    const { result, output } = await runUp(
      driver,
      [
        { name: fileName('first'), text: first },
        { name: fileName('second'), text: second },
      ],
      { host },
    );
    expect(result.error).toBeNull();
    expect(result.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(output).toEqual(['A\tA\tb\tb', 'function\t3.1415926535898\ttrue\tnil\t1', 'nil']);
  });

  test('a file cannot change the shared libraries for later runs on the same host', async () => {
    await prints(`
      local s = string
      s.format = nil
      for k in pairs(string) do string[k] = nil end
      coroutine.wrap = nil
    `);
    expect(await prints('print(type(string.format), type(("%d"):format(1)), type(coroutine.wrap))')).toEqual([
      'function\tstring\tfunction',
    ]);
  });

  test('threads kept from the top level or from an earlier phase cannot be resumed', async () => {
    const text = `
local main = coroutine.running()
local up_thread
return require("migration").define(function()
  migration("threads", function()
    database("sqlite", function()
      up(function(db)
        up_thread = coroutine.running()
        print(coroutine.resume(main, 1, 2))
        return print
      end)
      after(function(db)
        print(coroutine.resume(up_thread))
        print(coroutine.resume(up_thread, print, 1))
        print(coroutine.status(up_thread), coroutine.status(main))
      end)
    end)
  end)
end)
`;
    const { result, output } = await runUp(driver, [{ name: fileName('threads'), text }], { host });
    expect(output).toEqual([
      'false\tcannot resume dead coroutine',
      'false\tcannot resume dead coroutine',
      'false\tcannot resume dead coroutine',
      'dead\tdead',
    ]);
    expect(result.error).toBeNull();
  });

  test("the db object's methods cannot be changed for the next file, and a db kept past its phase is refused", async () => {
    const first = migration(`
      print(getmetatable(db), type(db.execute), rawget(db, "execute"))
      print(pcall(setmetatable, db, {}))
      db.execute = function() return "hacked" end
      print(db:execute("SELECT 1"))
      kept = db
      kept_stmt = db:prepare("SELECT 1")
    `);
    const after = `
return require("migration").define(function()
  migration("kept", function()
    database("sqlite", function()
      up(function(db) saved = db; statement = db:prepare("SELECT 1") end)
      after(function(db)
        print(pcall(saved.query, saved, "SELECT 1"))
        print(pcall(statement.query, statement))
        print(pcall(db.query, {}, "SELECT 1"))
        print(#db:query("SELECT 1 AS a"))
      end)
    end)
  end)
end)
`;
    const second = migration(`
      print(db:execute("SELECT 1").rows_affected, kept)
    `);
    const { result, output } = await runUp(
      driver,
      [
        { name: fileName('first'), text: first },
        { name: fileName('after'), text: after },
        { name: fileName('second'), text: second },
      ],
      { host },
    );
    expect(result.error).toBeNull();
    expect(output[0]).toMatch(/^moonwalk db\tfunction\tnil$/);
    expect(output[1]).toMatch(/^false\t.*cannot change a protected metatable/);
    expect(output[2]).toBe('hacked');
    const refused = /^false\t.*was called after the function that received this db returned/;
    expect(output[3]).toMatch(refused);
    expect(output[3]).toContain('db:query()');
    expect(output[4]).toMatch(refused);
    expect(output[4]).toContain('stmt:query()');
    expect(output[5]).toMatch(/^false\t.*call db:query\(\.\.\.\) on the db object the function received/);
    expect(output.slice(6)).toEqual(['1', '0\tnil']);
  });

  test('the migration DSL functions are gone once define has run', async () => {
    expect(await prints('print(migration, database, up, down, after)')).toEqual(['nil\tnil\tnil\tnil\tnil']);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Runaway code

let runaway = 0;

/**
 * Runs `code` after creating a table; expects the migration to fail with `message`, the table and the ledger row
 * rolled back, and the host still usable for the next migration.
 */
async function stopped(code: string, message: RegExp, useHost: LuaHost = host) {
  const table = `runaway_${++runaway}`;
  const name = fileName('runaway');
  const started = performance.now();
  const { result } = await runUp(
    driver,
    [
      {
        name,
        text: migration(`db:execute("CREATE TABLE ${table} (x INTEGER)")\n${code}`),
      },
    ],
    { host: useHost },
  );
  const elapsed = performance.now() - started;
  expect(result.ok).toBe(false);
  expect(result.error!.migration).toBe(name.slice(0, -4));
  expect(result.error!.phase).toBe('up');
  expect(result.error!.message).toMatch(message);
  expect(result.results).toEqual([expect.objectContaining({ status: 'failed' })]);
  expect(await tableExists(driver, table)).toBe(false);
  expect(await ledgerIds(driver)).not.toContain(name.slice(0, -4));
  // the same host runs the next migration normally (the hook is back to its normal interval)
  const next = await runUp(driver, [migration('print("still alive")')], { host: useHost });
  expect(next.result.ok).toBe(true);
  expect(next.output).toEqual(['still alive']);
  return { error: result.error!, elapsed };
}

const INSTRUCTIONS = /stopped: the code ran more than 5,000,000 Lua instructions/;

describe('runaway code is stopped and rolled back', () => {
  test('while true do end', async () => {
    const { error, elapsed } = await stopped('while true do end', INSTRUCTIONS);
    expect(error.line).toBe(UP_FIRST_LINE + 1);
    expect(elapsed).toBeLessThan(5000);
  });

  test('an endless loop of pcall(endless loop): pcall cannot swallow the limit', async () => {
    await stopped('while true do pcall(function() while true do end end) end', INSTRUCTIONS);
  });

  test('an error caught by pcall does not switch the instruction hook off (fengari lua_pcallk patch)', async () => {
    await stopped('pcall(error, "caught")\nwhile true do end', INSTRUCTIONS);
    await stopped(
      'for i = 1, 10 do pcall(error, i) end\nlocal ok = pcall(function() local x = nil; return x.y end)\nwhile true do end',
      INSTRUCTIONS,
    );
  });

  test('an endless loop inside a user coroutine after a caught error', async () => {
    await stopped(
      `
      local co = coroutine.create(function()
        pcall(error, "caught")
        while true do pcall(function() while true do end end) end
      end)
      local ok, err = coroutine.resume(co)
      while true do end
    `,
      INSTRUCTIONS,
    );
  });

  test('xpcall with an endless message handler', async () => {
    await stopped(
      'while true do xpcall(function() while true do end end, function() while true do end end) end',
      INSTRUCTIONS,
    );
    await stopped('xpcall(error, function() while true do end end)', INSTRUCTIONS);
  });

  test("xpcall still works as Lua's own", async () => {
    expect(
      await prints(`
      print(xpcall(function(a, b) return a + b end, function(e) return "handled" end, 1, 2))
      print(xpcall(function() error({ code = 7 }) end, function(e) return "handled " .. e.code end))
      print(pcall(xpcall, error, nil))
    `),
    ).toEqual([
      'true\t3',
      'false\thandled 7',
      expect.stringMatching(/^false\tbad argument #2 to '(xpcall|\?)' \(function expected, got nil\)$/),
    ]);
  });

  test('an endless loop in a string.gsub callback', async () => {
    await stopped('string.gsub("xxx", "x", function() while true do end end)', INSTRUCTIONS);
  });

  test('unbounded recursion', async () => {
    const { error } = await stopped('local function f() return 1 + f() end\nf()', /stack overflow/);
    expect(error.line).toBe(UP_FIRST_LINE + 1);
  });

  test('unbounded recursion through __index', async () => {
    await stopped(
      'local t = setmetatable({}, { __index = function(t, k) return t[k] end })\nlocal v = t.x',
      /stack overflow|C stack overflow/,
    );
  });

  test('string.rep("x", 1e9) is refused before it allocates', async () => {
    const { elapsed } = await stopped('local s = string.rep("x", 1e9)', /resulting string too large/);
    expect(elapsed).toBeLessThan(5000);
    await stopped('local s = ("x"):rep(1e8, ",")', /resulting string too large/);
  });

  test('doubling a string forty times stops at the string size bound', async () => {
    const { error } = await stopped('local s = "x"\nfor i = 1, 40 do s = s .. s end', /string length overflow/);
    expect(error.line).toBe(UP_FIRST_LINE + 2);
  });

  test('table.concat of a huge table stops at the string size bound', async () => {
    await stopped(
      `
      local chunk = string.rep("x", 1024 * 1024)
      local t = {}
      for i = 1, 100 do t[i] = chunk end
      local s = table.concat(t)
    `,
      /resulting string too large/,
    );
  });

  test('string.format cannot build a huge string either', async () => {
    await stopped(
      `
      local s = string.rep("x", 33 * 1024 * 1024)
      local t = string.format("%s%s", s, s)
    `,
      /too large|overflow/,
    );
  });

  test('a memory-filling loop is stopped by the instruction limit', async () => {
    // on a slow machine the time limit may come first: either limit is fine
    await stopped(
      'local t = {}\nwhile true do t[#t + 1] = {} end',
      /stopped: the code ran (more than 5,000,000 Lua instructions|for more than 2 s)/,
    );
  });

  test('error values whose metamethods never return cannot hang the host', async () => {
    const loop = 'function() while true do end end';
    await stopped(`error(setmetatable({}, { __index = ${loop} }))`, /error object is a table value/);
    await stopped(`error(setmetatable({}, { __tostring = ${loop} }))`, /could not be converted to a string/);
    await stopped(
      `error(setmetatable({ message = "m" }, { __tostring = ${loop}, __index = ${loop} }))`,
      /could not be converted to a string/,
    );
    await stopped(
      `return nil, setmetatable({}, { __index = ${loop} })`,
      /up returned an error: error object is a table value/,
    );
    await stopped(
      `return false, setmetatable({}, { __tostring = ${loop} })`,
      /up returned an error: .*could not be converted/,
    );
  });

  test('the definition returned by define cannot be tampered with afterwards', async () => {
    const tampered = `
local d = require("migration").define(function()
  migration("tampered", function()
    database("sqlite", function() up(function(db) print("up ran") end) end)
  end)
end)
if type(d) == "table" then
  for _, t in ipairs({ d, rawget(d, "engines") or {}, rawget(d, "empty") or {} }) do
    setmetatable(t, { __index = function() while true do end end })
  end
  rawset(d, "description", setmetatable({}, { __tostring = function() while true do end end }))
end
return d
`;
    const { result, output } = await runUp(driver, [{ name: fileName('tampered'), text: tampered }], { host });
    expect(result.error).toBeNull();
    expect(result.results.map((r) => r.status)).toEqual(['applied']);
    expect(output).toEqual(['up ran']);
  });

  test('the Lua time limit stops code too', async () => {
    const timed = new LuaHost({ instructions: 1e12, luaTimeMs: 300 });
    const { elapsed } = await stopped(
      'while true do end',
      /stopped: the code ran for more than 0.3 s of Lua time/,
      timed,
    );
    expect(elapsed).toBeLessThan(5000);
  });

  test("runaway code at a file's top level is a load error, not a hang", async () => {
    const name = fileName('toplevel');
    const { result } = await runUp(driver, [{ name, text: `while true do end\n${migration('')}` }], { host });
    expect(result.ok).toBe(false);
    expect(result.error!.phase).toBe('load');
    expect(result.error!.message).toMatch(INSTRUCTIONS);
  });
});
