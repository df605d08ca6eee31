/**
 * The limits patched into fengari (patches/fengari+0.1.5.patch), through the real runner on sql.js: pattern
 * matching (string.find/match/gmatch/gsub), which runs inside one VM instruction where the instruction hook and the
 * Lua-time limit cannot reach it, counts its steps and fails with "pattern too complex" instead of hanging the
 * runner; ordinary patterns are unaffected; strings cannot grow beyond 64 MiB.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Driver } from '../../src/core/driver.ts';
import { LuaHost } from '../../src/core/lua/host.ts';
import { migrationFiles } from '../../src/core/migration-files.ts';
import { Migrator } from '../../src/core/migrator.ts';
import type { RunResult } from '../../src/core/results.ts';
import { openSqlJs } from '../../src/drivers/sqljs.ts';
import { ledgerIds, tableExists } from '../helpers/db-inspect.ts';
import { fileName, migration, smallHost, UP_FIRST_LINE } from '../helpers/migration.ts';

let driver: Driver;
let host: LuaHost;

beforeAll(async () => {
  driver = await openSqlJs();
  host = smallHost();
});
afterAll(async () => {
  await driver.close();
});

interface Run {
  name: string;
  result: RunResult;
  output: string[];
  elapsed: number;
}

/** Applies one migration whose `up` body is `body`, with the shared host; measures the wall time of the run. */
async function run(body: string): Promise<Run> {
  const name = fileName('limits');
  const output: string[] = [];
  const migrator = new Migrator({
    driver,
    files: migrationFiles([{ name, text: migration(body) }]),
    host,
    allowDrift: true,
    onEvent: (event) => {
      if (event.type === 'output') output.push(...event.lines);
    },
  });
  const started = performance.now();
  try {
    const result = await migrator.up();
    return { name: name.slice(0, -4), result, output, elapsed: performance.now() - started };
  } finally {
    migrator.dispose();
  }
}

/** Runs `body` expecting success; returns what it printed. */
async function prints(body: string): Promise<string[]> {
  const { result, output } = await run(body);
  expect(result.error).toBeNull();
  expect(result.ok).toBe(true);
  return output;
}

let tables = 0;

/**
 * Creates a table, then runs `code` (which starts on line UP_FIRST_LINE + 1); expects the migration to fail with
 * `message`, the table and the ledger row rolled back, and the host still usable afterwards.
 */
async function fails(code: string, message: RegExp) {
  const table = `limits_${++tables}`;
  const { name, result, elapsed } = await run(`db:execute("CREATE TABLE ${table} (x INTEGER)")\n${code}`);
  expect(result.ok).toBe(false);
  expect(result.error).not.toBeNull();
  expect(result.error!.migration).toBe(name);
  expect(result.error!.phase).toBe('up');
  expect(result.error!.message).toMatch(message);
  expect(result.results).toEqual([expect.objectContaining({ status: 'failed' })]);
  expect(await tableExists(driver, table)).toBe(false);
  expect(await ledgerIds(driver)).not.toContain(name);
  expect(await prints('print("still alive")')).toEqual(['still alive']);
  return { error: result.error!, elapsed };
}

const TOO_COMPLEX = /pattern too complex: matching took more than [0-9]+ steps/;

/**
 * Not a speed target: a liveness bound. The bounded matcher gives up in about 0.3–1 s; the unpatched one took 30+ s
 * or never finished, so 10 s tells the two apart even on a busy machine.
 */
const QUICK_MS = 10_000;

describe('catastrophic patterns fail quickly with "pattern too complex"', () => {
  test('string.rep("a", 2000):find("a-a-b") (~40 s without the bound) fails and is rolled back', async () => {
    const { error, elapsed } = await fails('local i = string.rep("a", 2000):find("a-a-b")', TOO_COMPLEX);
    expect(error.line).toBe(UP_FIRST_LINE + 1);
    expect(elapsed).toBeLessThan(QUICK_MS);
  });

  test('more a- (which never finished) fail just as quickly', async () => {
    const { elapsed } = await fails('local i = string.rep("a", 5000):find("a-a-a-a-a-a-b")', TOO_COMPLEX);
    expect(elapsed).toBeLessThan(QUICK_MS);
  });

  test.each([
    ['match', 'local m = string.rep("a", 3000):match("(a*)(a*)(a*)b")'],
    ['gmatch', 'for w in string.rep("a", 3000):gmatch("a-a-b") do end'],
    ['gsub', 'local s = string.rep("a", 3000):gsub(".-.-b", "x")'],
    ['gsub with a function', 'local s = string.rep("a", 3000):gsub("a-a-b", function(m) return m end)'],
    ['a method call on a string', 'local s = ("a"):rep(3000) local i = s:find(".-.-.-$b")'],
  ])('%s', async (_label, code) => {
    const { elapsed } = await fails(code, TOO_COMPLEX);
    expect(elapsed).toBeLessThan(QUICK_MS);
  });

  test('other superlinear shapes are bounded too: %b, long patterns, long classes, back-references', async () => {
    for (const code of [
      'local i = string.rep("(", 300000):find("%b()")', // %b scans to the end each time
      'local i = string.rep("a", 100000):find("." .. string.rep("a", 100000) .. "b")', // a long pattern per position
      'local i = string.rep("b", 100000):find("[" .. string.rep("a", 100000) .. "]")', // a long class per byte
      'local i = string.rep("a", 20000):find("(.*)%1b")', // long back-references
      'local s = string.rep("a", 10000):gsub("(x*)", string.rep("%1", 10000))', // a long replacement per match
      'local s = string.rep("a", 1000000):gsub("", {})', // many table replacements
    ]) {
      const { elapsed } = await fails(code, TOO_COMPLEX);
      expect(elapsed, code).toBeLessThan(QUICK_MS);
    }
  });

  test('the error is an ordinary Lua error: pcall catches it and the code carries on', async () => {
    const started = performance.now();
    expect(
      await prints(`
      local ok, err = pcall(string.find, string.rep("a", 2000), "a-a-b")
      print(ok, err)
      local it = string.rep("a", 2000):gmatch("a-a-b")
      print(pcall(it))
      print(("key=value"):match("(%w+)=(%w+)"))
    `),
    ).toEqual([
      expect.stringMatching(/^false\tpattern too complex: matching took more than [0-9]+ steps$/),
      expect.stringMatching(/^false\tpattern too complex/),
      'key\tvalue',
    ]);
    expect(performance.now() - started).toBeLessThan(2 * QUICK_MS);
  });
});

describe('ordinary patterns still work', () => {
  test('find, match and gmatch with captures, anchors, classes, %b and %f', async () => {
    expect(
      await prints(`
      print(("hello world"):find("o w"))
      print(("hello world"):find("l+"))
      print(("hello world"):find("(o)(r)"))
      print(("a.b"):find(".", 1, true), ("a+b"):find("+", 1, true))
      print(("key = value"):match("^(%w+)%s*=%s*(%w+)$"))
      print(("  trim me  "):match("^%s*(.-)%s*$"))
      print(("2024-01-31"):match("^(%d%d%d%d)-(%d%d)-(%d%d)$"))
      print(("abc"):match("^b"), ("abc"):match("c$"), ("abc"):match("()b()"))
      print(("f(a(b)c) g(d)"):match("%b()"), ("[x][y]"):gsub("%b[]", "<>"))
      print(("THE (quick) fox"):find("%f[%a]%a+%f[%A]"))
      local words = {}
      for w in ("one two  three"):gmatch("%a+") do words[#words + 1] = w end
      print(table.concat(words, ","))
      local pairs_ = {}
      for k, v in ("a=1, b=22, c=333"):gmatch("(%w+)=(%w+)") do pairs_[#pairs_ + 1] = k .. ":" .. v end
      print(table.concat(pairs_, " "))
      print(("hello"):match(".-(l+)(.*)"), ("xyyx"):match("(.)(.)%2%1"))
      print(("[[x]]"):match("^%[(%b[])%]$"), ("a,b;c"):match("[^,;]+$"))
    `),
    ).toEqual([
      '5\t7',
      '3\t4',
      '8\t9\to\tr',
      '2\t2\t2',
      'key\tvalue',
      'trim me',
      '2024\t01\t31',
      'nil\tc\t2\t3',
      '(a(b)c)\t<><>\t2',
      '1\t3',
      'one,two,three',
      'a:1 b:22 c:333',
      'll\tx\ty',
      '[x]\tc',
    ]);
  });

  test('gsub with string, table and function replacements, counts and limits', async () => {
    expect(
      await prints(`
      print(("hello world"):gsub("o", "0"))
      print(("hello world"):gsub("(%w+)", "<%1>"))
      print(("hello world"):gsub("%w+", "%0 %0", 1))
      print(("$name is $age"):gsub("%$(%w+)", { name = "Ann", age = 42 }))
      print(("1 2 3"):gsub("%d", function(d) return tostring(tonumber(d) * 2) end))
      print(("abc"):gsub("", "-"))
      print(("  a  b  "):gsub("^%s+", ""))
      print(("x = 1, y = 2"):gsub("(%w+) = (%w+)", "%2 = %1"))
      print(("CamelCaseName"):gsub("(%l)(%u)", "%1_%2"):lower())
    `),
    ).toEqual([
      'hell0 w0rld\t2',
      '<hello> <world>\t2',
      'hello hello world\t1',
      'Ann is 42\t2',
      '2 4 6\t3',
      '-a-b-c-\t4',
      'a  b  \t1',
      '1 = x, 2 = y\t2',
      'camel_case_name',
    ]);
  });

  test('linear scans of large subjects fit the bound (it grows with the subject)', async () => {
    // 2 steps per byte for "a$": 12 M steps, more than the fixed part of the bound (10 M)
    expect(
      await prints(`
      local s = string.rep(string.rep("a", 1024), 6 * 1024)  -- 6 MiB
      print(#s, #s:match("^a*$"), s:find("ab", 1, true), s:find("a$"))
    `),
    ).toEqual(['6291456\t6291456\tnil\t6291456\t6291456']);
    expect(
      await prints(`
      local t = string.rep(string.rep("ab ", 1000), 300)  -- 900 kB
      local n = 0
      for w in t:gmatch("%a+") do n = n + 1 end
      print(n, select(2, t:gsub("b", "c")), #t:gsub("%s+", ""))
    `),
    ).toEqual(['300000\t300000\t600000']);
  });

  test('plain find stays fast with a needle that almost matches everywhere (linear search)', async () => {
    const { result, output, elapsed } = await run(`
      local s = string.rep(string.rep("a", 1000), 10000)
      local needle = string.rep("a", 10000) .. "b"
      print(s:find(needle, 1, true), (s .. needle):find(needle, 1, true))
      print(("aaab"):find("aab", 1, true), ("abcabd"):find("abd", 1, true), ("aab"):find("aab", 2, true))
    `);
    expect(result.error).toBeNull();
    expect(output).toEqual(['nil\t10000001\t10010001', '2\t4\tnil']);
    expect(elapsed).toBeLessThan(QUICK_MS);
  });
});

describe('strings cannot grow beyond 64 MiB', () => {
  test('string.rep beyond 64 MiB fails with "resulting string too large"', async () => {
    await fails('local s = string.rep("x", 64 * 1024 * 1024 + 1)', /resulting string too large/);
    await fails('local s = string.rep("xy", 32 * 1024 * 1024, ",")', /resulting string too large/);
  });

  test('exactly 64 MiB is allowed; concatenating one more byte fails with "string length overflow"', async () => {
    const { error } = await fails(
      `
      local s = string.rep(string.rep("x", 1024), 64 * 1024)
      print(#s)
      local t = s .. "x"`,
      /string length overflow/,
    );
    expect(error.line).toBe(UP_FIRST_LINE + 4);
  });

  test('string.rep of an empty string any number of times is instant', async () => {
    const started = performance.now();
    expect(await prints('print(#string.rep("", math.maxinteger), #string.rep("", 2^30, ""))')).toEqual(['0\t0']);
    expect(performance.now() - started).toBeLessThan(QUICK_MS);
  });
});
