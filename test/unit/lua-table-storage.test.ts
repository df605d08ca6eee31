/**
 * The assumptions table-storage.ts makes about fengari's internals, checked against the C API on tables built by
 * Lua code: every item read from the storage is what `lua_rawgeti` pushes, and the storage counts live keys only.
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { lua, lauxlib, lualib, to_luastring, luaBytesToString, type LuaState } from '../../src/core/lua/fengari.ts';
import { storedBytes, storedItem, storedType, tableStorage } from '../../src/core/lua/table-storage.ts';

let L: LuaState;

beforeEach(() => {
  L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
});
afterEach(() => {
  lua.lua_close(L);
});

/** Runs `return <expression>` and leaves the value on the stack. */
function evaluate(expression: string): void {
  expect(lauxlib.luaL_dostring(L, to_luastring(`return ${expression}`))).toBe(lua.LUA_OK);
}

/** The type and value of t[i] through the C API (the table on top of the stack). */
function viaApi(i: number): [number, unknown] {
  const type = lua.lua_rawgeti(L, -1, i);
  let value: unknown = null;
  if (type === lua.LUA_TNUMBER) value = lua.lua_tonumber(L, -1);
  else if (type === lua.LUA_TBOOLEAN) value = lua.lua_toboolean(L, -1);
  else if (type === lua.LUA_TSTRING) value = luaBytesToString(lua.lua_tolstring(L, -1));
  else if (type === lua.LUA_TLIGHTUSERDATA) value = lua.lua_touserdata(L, -1);
  lua.lua_pop(L, 1);
  return [type, value];
}

function viaStorage(i: number): [number, unknown] {
  const item = storedItem(tableStorage(L, -1), i);
  if (item === undefined) return [lua.LUA_TNIL, null];
  const type = storedType(item);
  if (type === lua.LUA_TSTRING) return [type, luaBytesToString(storedBytes(item))];
  if (type === lua.LUA_TNUMBER || type === lua.LUA_TBOOLEAN) return [type, item.value];
  return [type, null];
}

test.each([
  ['integers, floats, strings, booleans', '{ 1, 2.5, "three", true, false, -7, 2^40, 0.0 }', 8],
  ['holes and trailing nils', '{ 1, nil, 3, nil }', 4],
  ['a key set, then removed', '(function() local t = { 1, 2, 3 }; t[2] = nil; return t end)()', 3],
  ['float keys that are integers', '{ [1.0] = "a", [2.0] = "b", [3] = "c" }', 3],
  ['named keys beside the array', '{ "a", "b", x = 1, [0] = 0, [-1] = -1 }', 3],
  ['nested tables and functions', '{ {}, print, coroutine.create(print) }', 3],
  ['non-ASCII strings', '{ "héllo", "日本語", "\\xff" }', 3],
])("items read from the storage are the C API's: %s", (_what, constructor, count) => {
  evaluate(constructor);
  for (let i = -1; i <= count + 1; i++) expect(viaStorage(i), `item ${i}`).toEqual(viaApi(i));
});

test('the storage counts live keys only', () => {
  evaluate('(function() local t = { 1, 2, 3, x = 4 }; t.x = nil; t[3] = nil; return t end)()');
  expect(tableStorage(L, -1).size).toBe(2);
  evaluate('{ 1, 2, nil, 4 }');
  expect(tableStorage(L, -1).size).toBe(3);
  evaluate('{ "a", "b", "c", n = 3 }');
  expect(tableStorage(L, -1).size).toBe(4);
});

test('a light userdata item keeps the very object pushed', () => {
  const marker = { marker: true };
  lua.lua_createtable(L, 1, 0);
  lua.lua_pushlightuserdata(L, marker);
  lua.lua_rawseti(L, -2, 1);
  const item = storedItem(tableStorage(L, -1), 1)!;
  expect(storedType(item)).toBe(lua.LUA_TLIGHTUSERDATA);
  expect(item.value).toBe(marker);
});
