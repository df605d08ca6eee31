/**
 * Values between Lua and the engines (DESIGN §3): integers stay integers, floats floats, booleans booleans, strings
 * strings, NULL is nil (or `sql.NULL`). fengari's integers are 32-bit: larger integers travel as Lua floats, which are
 * exact up to 2^53; a 64-bit value beyond that comes back to Lua as a string.
 */
import type { SqlValue } from '../driver.ts';
import { lua, to_luastring, luaBytesToString, luaBytesToText, type LuaState } from './fengari.ts';
import { tableStorage, storedItem, storedType, storedBytes, type StoredValue } from './table-storage.ts';
import { plural } from '../plural.ts';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const TWO_POW_53 = 2n ** 53n;

/** The value of `require("sql").NULL`: a light userdata nobody else can forge. */
export const SQL_NULL = Object.freeze({ sqlNull: true });

export function pushSqlValue(L: LuaState, value: SqlValue): void {
  switch (typeof value) {
    case 'number':
      if (Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) lua.lua_pushinteger(L, value);
      else lua.lua_pushnumber(L, value);
      return;
    case 'string':
      lua.lua_pushstring(L, to_luastring(value));
      return;
    case 'boolean':
      lua.lua_pushboolean(L, value);
      return;
    case 'bigint':
      // ±2^53 itself is exact as a float; only what lies beyond comes back as a string.
      if (value >= -TWO_POW_53 && value <= TWO_POW_53) {
        pushSqlValue(L, Number(value));
      } else {
        lua.lua_pushstring(L, to_luastring(value.toString()));
      }
      return;
    default:
      if (value === null) lua.lua_pushnil(L);
      else lua.lua_pushstring(L, value); // Uint8Array: the bytes, as a Lua string
  }
}

/** Why a Lua value cannot be a parameter; thrown by `readParams` and turned into a Lua error by the caller. */
export class ParameterError extends Error {}

/** A stored parameter (an item of the parameter table) as a value for the engine. */
function sqlValueOf(L: LuaState, item: StoredValue, position: number): SqlValue {
  const type = storedType(item);
  switch (type) {
    case lua.LUA_TBOOLEAN:
      return item.value as boolean;
    case lua.LUA_TNUMBER:
      // An integral float (a Lua integer beyond 32 bits) binds as an integer: JavaScript numbers make no difference.
      // NaN is no SQL value (SQLite would store NULL without a word, PostgreSQL a float NaN): refused.
      if (Number.isNaN(item.value)) {
        throw new ParameterError(
          `parameter ${position} is NaN (not a number, as 0/0 gives): pass sql.NULL for no value, or check the computation`,
        );
      }
      return item.value as number;
    case lua.LUA_TSTRING: {
      const text = luaBytesToText(storedBytes(item));
      if (text !== null) return text;
      throw new ParameterError(
        `parameter ${position} is not valid UTF-8 text: strings are bound as text, and changing bytes would change ` +
          'the data; encode binary data first (as hex, for instance)',
      );
    }
    case lua.LUA_TLIGHTUSERDATA:
      if (item.value === SQL_NULL) return null;
      break;
  }
  throw new ParameterError(
    `parameter ${position} is a ${luaBytesToString(lua.lua_typename(L, type))}: ` +
      'parameters must be strings, numbers, booleans or nil (sql.NULL)',
  );
}

/**
 * Reads a parameter array (the table at `index`, or nothing) into exactly `count` values. Holes and missing trailing
 * values are NULL; more values than the statement has placeholders is an error, not silently dropped.
 */
export function readParams(L: LuaState, index: number, count: number): SqlValue[] {
  const type = lua.lua_type(L, index);
  if (type === lua.LUA_TNIL || type === lua.LUA_TNONE) return new Array<SqlValue>(count).fill(null);
  if (type !== lua.LUA_TTABLE) {
    const name = luaBytesToString(lua.lua_typename(L, type));
    throw new ParameterError(`parameters must be a table (an array of values), got a ${name}`);
  }
  const storage = tableStorage(L, index);
  // The common case, a plain sequence of exactly `count` values, needs no scan of the table's keys: a table with
  // `count` keys that holds 1..count holds nothing else. Each item is looked up once: kept in `found` while the
  // count is checked, converted after (a bad value is reported only once the count is known to be right).
  let size = count;
  let complete = storage.size === count;
  for (let i = 1; complete && i <= count; i++) {
    const item = storedItem(storage, i);
    if (item === undefined) complete = false;
    else found[i - 1] = item;
  }
  if (!complete) {
    found.length = 0;
    size = highestArrayIndex(L, lua.lua_absindex(L, index));
  }
  if (size > count) {
    throw new ParameterError(`${size} parameters given but the statement has ${plural(count, 'placeholder')}`);
  }
  const values = new Array<SqlValue>(count);
  try {
    for (let i = 1; i <= count; i++) {
      const item = complete ? found[i - 1] : i <= size ? storedItem(storage, i) : undefined;
      values[i - 1] = item === undefined ? null : sqlValueOf(L, item, i);
    }
  } finally {
    if (complete) found.fill(undefined, 0, count); // holds no Lua values between calls
  }
  return values;
}

/** readParams' scratch list of the items of a complete sequence (it never runs inside itself). */
const found: Array<StoredValue | undefined> = [];

/** The largest positive integer key of an array with holes (`#t` is unreliable there). Other keys are an error. */
function highestArrayIndex(L: LuaState, index: number): number {
  let highest = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, index) !== 0) {
    lua.lua_pop(L, 1);
    if (!lua.lua_isinteger(L, -1) || lua.lua_tointeger(L, -1) < 1) {
      lua.lua_pop(L, 1);
      throw new ParameterError('parameters must be an array: use {value1, value2, ...}, not named keys');
    }
    const key: number = lua.lua_tointeger(L, -1);
    if (key > highest) highest = key;
  }
  return highest;
}
