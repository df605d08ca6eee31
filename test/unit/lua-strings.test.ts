/**
 * Lua strings as fengari keeps them, after the speed patch in patches/fengari+0.1.5.patch (a string's table key is
 * one UTF-16 code unit per byte instead of each byte's unpadded hex): distinct strings stay distinct table keys
 * (the old key form made "\1#" and "\18\3" the same key), string comparison is byte order as in C Lua, and text
 * with non-ASCII characters travels to Lua and back unchanged. Through the real runner on sql.js.
 */
import { describe, expect, test } from 'vitest';
import { openSqlJs } from '../../src/drivers/sqljs.ts';
import { useLuaSession } from '../helpers/migration.ts';

/** Runs a body as an `up` that must succeed on sql.js; returns what it printed. */
const session = useLuaSession(() => openSqlJs());
const { prints } = session;

describe('Lua strings as table keys', () => {
  test('strings whose bytes read alike in hex are different keys', async () => {
    // bytes 01 23 and 12 03: both were the key "|123" before the patch, so the second write replaced the first
    expect(
      await prints(`
      local t = {}
      t["\\1#"] = "first"
      t["\\18\\3"] = "second"
      print(t["\\1#"], t["\\18\\3"])
      local n = 0
      for _ in pairs(t) do n = n + 1 end
      print(n)`),
    ).toEqual(['first\tsecond', '2']);
  });

  test('a string built at run time finds the key of the same literal', async () => {
    expect(
      await prints(`
      local t = { ["caf\\195\\169"] = 1, [string.rep("ab", 3)] = 2, [""] = 3 }
      print(t["caf" .. string.char(195, 169)], t["ab" .. "abab"], t[("x"):sub(2)])`),
    ).toEqual(['1\t2\t3']);
  });

  test('a key longer than one conversion chunk (8 KiB) is one key', async () => {
    expect(
      await prints(`
      local long = string.rep("0123456789", 2000)
      local t = { [long] = "found" }
      print(t[string.rep("0123456789", 1000) .. string.rep("0123456789", 1000)], t[long .. "x"])`),
    ).toEqual(['found\tnil']);
  });
});

describe('Lua string comparison is byte order', () => {
  test('control bytes sort before letters, high bytes after', async () => {
    // The old hex keys compared "\\n" (key "|a") after "a" (key "|61")
    expect(
      await prints(`
      print("\\n" < "a", "a" < "\\255", "ab" < "abc", "abc" < "abd", "B" < "a", "\\0" < "\\1")
      local list = { "b", "\\255x", "a", "\\n", "A", "\\127" }
      table.sort(list)
      local codes = {}
      for i, s in ipairs(list) do codes[i] = s:byte(1) end
      print(table.concat(codes, ","))`),
    ).toEqual(['true\ttrue\ttrue\ttrue\ttrue\ttrue', '10,65,97,98,127,255']);
  });
});

describe('text crossing between JavaScript and Lua', () => {
  test('ASCII and non-ASCII source text and SQL results arrive unchanged', async () => {
    await session.driver.exec('CREATE TABLE IF NOT EXISTS words (w TEXT)');
    expect(
      await prints(`
      db:execute("DELETE FROM words")
      db:execute("INSERT INTO words (w) VALUES (?), (?), (?)", {"plain", "naïve – 東京", "😀"})
      local rows = db:query("SELECT w FROM words ORDER BY rowid")
      for _, row in ipairs(rows) do print(row.w, #row.w) end
      print(#"é", #"東", #"😀")`),
    ).toEqual(['plain\t5', 'naïve – 東京\t17', '😀\t4', '2\t3\t4']);
  });
});
