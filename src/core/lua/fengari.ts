/**
 * The one import of fengari (Lua 5.3 in JavaScript). Everything else in the core reaches the Lua C API through here,
 * so the untyped surface stays in one place.
 */
import { lua, lauxlib, lualib, to_luastring, to_jsstring } from 'fengari';

export { lua, lauxlib, lualib, to_luastring };

/** A fengari `lua_State` (a thread). Opaque to the rest of the core. */
export type LuaState = { readonly __luaState: unique symbol };

const asciiDecoder = new TextDecoder();

/**
 * ASCII (most parameters and names) decodes the same under any decoder: one call gives a flat string, where
 * fengari's decoder appends byte by byte.
 */
function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x80) return false;
  return true;
}

/** Decodes a Lua string (bytes) as UTF-8, replacing invalid sequences (fengari's own rules) instead of throwing. */
export function luaBytesToString(bytes: Uint8Array): string {
  return isAscii(bytes) ? asciiDecoder.decode(bytes) : to_jsstring(bytes, 0, bytes.length, true);
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * A Lua string (bytes) as text, or null when the bytes are not valid UTF-8: what goes to a database as text must not
 * be silently changed (luaBytesToString, for messages and output, replaces bad bytes instead).
 */
export function luaBytesToText(bytes: Uint8Array): string | null {
  if (isAscii(bytes)) return asciiDecoder.decode(bytes);
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return null;
  }
}

/** The string at `index`, or null when the value is neither a string nor a number. */
export function toJsString(L: LuaState, index: number): string | null {
  const bytes: Uint8Array | null = lua.lua_tolstring(L, index);
  return bytes === null || bytes === undefined ? null : luaBytesToString(bytes);
}

function pushJsString(L: LuaState, s: string): void {
  lua.lua_pushstring(L, to_luastring(s));
}

/**
 * How many results the code that called the running host function keeps: 0 for a call statement
 * (`stmt:execute(row)` on a line of its own), LUA_MULTRET (-1) when it takes them all. Read from fengari's call
 * frame, which the C API does not expose; a host function may skip building results nobody can see.
 */
export function resultsWanted(L: LuaState): number {
  return (L as unknown as { ci: { nresults: number } }).ci.nresults;
}

const OP_RETURN = 38;

/** A Lua function as fengari holds it (an LClosure), for `returnLine`; opaque elsewhere. */
export type LuaFunction = { readonly __luaFunction: unique symbol };

/** What `returnLine` reads of fengari's objects (its CallInfo and LClosure), which the C API does not expose. */
interface FrameInternals {
  base_ci: { next: { l_code: unknown[] | null; l_savedpc: number } | null };
}
interface ClosureInternals {
  p?: { code: Array<{ opcode: number }>; lineinfo: number[] };
}

/** The function at `index`, held without keeping it on any Lua stack; null for a value that is not a function. */
export function functionOf(L: LuaState, index: number): LuaFunction | null {
  return lua.lua_isfunction(L, index) ? (lua.lua_topointer(L, index) as LuaFunction) : null;
}

/**
 * The line of the `return` statement that ended `fn`, which ran as the first call of the finished coroutine
 * `thread`; undefined when that is not known. fengari keeps a finished call's frame for reuse, with the position its
 * function stopped at: it is `fn`'s own frame when it runs `fn`'s code (a tail call to another Lua function would
 * have taken the frame over), and the position is a return.
 */
export function returnLine(thread: LuaState, fn: LuaFunction | null): number | undefined {
  const frame = (thread as unknown as FrameInternals).base_ci.next;
  const proto = (fn as unknown as ClosureInternals | null)?.p;
  if (!frame || !proto || frame.l_code !== proto.code) return undefined;
  const pc = frame.l_savedpc - 1;
  return proto.code[pc]?.opcode === OP_RETURN ? proto.lineinfo[pc] : undefined;
}

/** Raises a Lua error with a plain message (no position prefix). Never returns: fengari throws. */
export function raiseLuaError(L: LuaState, message: string): never {
  pushJsString(L, message);
  lua.lua_error(L);
  throw new Error('unreachable');
}

/** Raises a Lua error prefixed with the position of the Lua code that called the current host function. */
export function raiseLuaErrorHere(L: LuaState, message: string): never {
  lauxlib.luaL_where(L, 1);
  pushJsString(L, message);
  lua.lua_concat(L, 2);
  lua.lua_error(L);
  throw new Error('unreachable');
}

export interface LuaPosition {
  file: string;
  line: number;
}

/**
 * The innermost position in a migration file on the call stack of `L`, looking from `level` outward.
 * Migration chunks are named `@<file>`; positions inside the host's own prelude are skipped.
 */
export function luaPosition(L: LuaState, level = 1): LuaPosition | null {
  const ar = new lua.lua_Debug();
  for (let l = level; lua.lua_getstack(L, l, ar); l++) {
    lua.lua_getinfo(L, to_luastring('Sl'), ar);
    const source: Uint8Array | undefined = ar.source;
    if (ar.currentline > 0 && source && source[0] === 64 /* '@' */) {
      return { file: luaBytesToString(source.subarray(1)), line: ar.currentline };
    }
  }
  return null;
}
