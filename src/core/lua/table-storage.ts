/**
 * A Lua table's items read straight from fengari's own storage, for the path that reads every parameter of every
 * row (`stmt:execute({...})` in a loop): `lua_rawgeti` pushes, and allocates, a stack slot per item; this reads none.
 *
 * Tied to fengari 0.1.5 as patched in patches/ (test/unit/lua-table-storage.test.ts checks each assumption): a table
 * keeps its live entries in a Map `strong`, an integer key under the number itself (a key assigned nil is removed
 * from it); each entry's `value` is a TValue whose `type` is a tag whose low four bits are the `lua_type`, and whose
 * `value` is the payload: a number, a boolean, a light userdata's object, or for a string a TString.
 */
import { lua, type LuaState } from './fengari.ts';

/** A value as fengari stores it. */
export interface StoredValue {
  readonly type: number;
  readonly value: unknown;
}

interface TString {
  getstr(): Uint8Array;
}

/** The live entries of one table, keyed as fengari keys them. */
export type TableStorage = ReadonlyMap<unknown, { readonly value: StoredValue }>;

/** The storage of the table at `index` (the caller has checked that it is a table). */
export function tableStorage(L: LuaState, index: number): TableStorage {
  return (lua.lua_topointer(L, index) as { strong: TableStorage }).strong;
}

/** t[i] for an integer i, or undefined when it is nil. */
export function storedItem(storage: TableStorage, i: number): StoredValue | undefined {
  return storage.get(i)?.value;
}

/** The `lua_type` of a stored value (LUA_TNUMBER for integers and floats alike). */
export function storedType(value: StoredValue): number {
  return value.type & 0x0f;
}

/** The bytes of a stored string (storedType is LUA_TSTRING). */
export function storedBytes(value: StoredValue): Uint8Array {
  return (value.value as TString).getstr();
}
