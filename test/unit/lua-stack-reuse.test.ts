/**
 * Speed changes in patches/fengari+0.1.5.patch for loops of calls: stack slots above the top keep their TValue
 * (set to nil) and are reused when the top grows again, instead of a fresh object per slot per call; a returned
 * call's CallInfo is reused by the next call, as in C Lua; and an integer's digits are written straight into a Lua
 * string's bytes. None may be visible from Lua: closures keep their own upvalues, values returned or dropped across
 * calls stay right, errors carry their value and position, tail calls and coroutines unwind right, and integers
 * print as before. Through the real runner on sql.js.
 */
import { describe, expect, test } from 'vitest';
import { openSqlJs } from '../../src/drivers/sqljs.ts';
import { useLuaSession } from '../helpers/migration.ts';

/** Runs a body as an `up` that must succeed on sql.js; returns what it printed. */
const { prints } = useLuaSession(() => openSqlJs());

describe('stack slots reused across calls', () => {
  test('closures made in a loop of calls and concatenations keep their own values', async () => {
    // Each closure captures a fresh local; calls (host and Lua) and concatenations after it move the top down and
    // up over the same registers. A slot shared with an open upvalue would make every closure see the last value.
    expect(
      await prints(`
      local fns = {}
      for i = 1, 5 do
        local x = "v" .. i
        fns[i] = function() return x end
        local _ = tostring(i) .. db:db_type() .. ("-"):rep(i)
        select("#", nil, nil, nil)
      end
      local out = {}
      for i = 1, 5 do out[i] = fns[i]() end
      print(table.concat(out, ","))`),
    ).toEqual(['v1,v2,v3,v4,v5']);
  });

  test('results wanted beyond those returned are nil, and dropped results leave nothing behind', async () => {
    expect(
      await prints(`
      local function two() return "a", "b" end
      local function none() end
      for round = 1, 3 do
        local p, q, r = two()
        local s, t = none()
        two()
        local u = (two())
        print(p, q, r, s, t, u)
      end`),
    ).toEqual(['a\tb\tnil\tnil\tnil\ta', 'a\tb\tnil\tnil\tnil\ta', 'a\tb\tnil\tnil\tnil\ta']);
  });

  test('an error value raised inside a coroutine reaches the caller unchanged', async () => {
    expect(
      await prints(`
      for i = 1, 3 do
        local co = coroutine.create(function() local t = {n = i} error(t) end)
        local ok, err = coroutine.resume(co)
        local ok2, err2 = pcall(function() error({n = i * 10}) end)
        print(ok, err.n, ok2, err2.n)
      end`),
    ).toEqual(['false\t1\tfalse\t10', 'false\t2\tfalse\t20', 'false\t3\tfalse\t30']);
  });
});

describe('call frames reused across calls', () => {
  test('recursion, tail calls, errors caught at depth and coroutines all unwind to the right frame', async () => {
    expect(
      await prints(`
      local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
      local function loop(n, acc) if n == 0 then return acc end return loop(n - 1, acc + n) end
      local function fail(n) if n == 0 then error("deep", 1) end return (fail(n - 1)) end -- line 9 of the file
      for round = 1, 2 do
        local ok, err = pcall(fail, 20)
        local co = coroutine.wrap(function(a) local b = coroutine.yield(a + depth(5)) return b * 2 end)
        print(depth(50), loop(1000, 0), ok, err:match(":(%d+): deep$"), co(1), co(21), depth(3))
      end`),
    ).toEqual(['50\t500500\tfalse\t9\t6\t42\t3', '50\t500500\tfalse\t9\t6\t42\t3']);
  });
});

describe('integers as text', () => {
  test('concatenation and tostring write the same digits as string.format("%d")', async () => {
    expect(
      await prints(`
      local bad = 0
      for i = -1005, 1005 do
        if i .. "" ~= string.format("%d", i) or tostring(i) ~= string.format("%d", i) then bad = bad + 1 end
      end
      print(bad, "item " .. 0, "item " .. -7, math.maxinteger .. "", math.mininteger .. "", (math.mininteger + 1) .. "")`),
    ).toEqual(['0\titem 0\titem -7\t2147483647\t-2147483648\t-2147483647']);
  });
});
