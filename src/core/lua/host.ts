/**
 * The Lua host: one shared, sandboxed fengari state in which every migration file is compiled into its own
 * environment, and in which each phase (`up`, `down`, `after`) runs as a coroutine that can wait for the database.
 */
import { ENGINES, type Engine } from '../driver.ts';
import {
  lua,
  lauxlib,
  lualib,
  to_luastring,
  luaBytesToString,
  toJsString,
  luaPosition,
  functionOf,
  returnLine,
  type LuaState,
} from './fengari.ts';
import { Bridge, LuaRun } from './bridge.ts';
import { DEFAULT_LIMITS, type Limits } from './limits.ts';
import { LoadError, type LuaFailure } from './failures.ts';
import { PRELUDE } from './prelude.lua.ts';
import { SQL_NULL } from './values.ts';
import { pushDbObject, type DbServices } from './db-object.ts';
import type { StatementError, Transaction } from '../transaction.ts';

export type Phase = 'up' | 'down' | 'after';

export interface CompiledMigration {
  /** The file name the code was loaded from, used in every message. */
  file: string;
  description: string;
  /** The engines the migration has a `database(...)` block for, which optional phases each defines, its `options{}`. */
  blocks: Partial<Record<Engine, { down: boolean; after: boolean; options?: BlockOptions }>>;
  /** Engines with an empty `database(...)` block: a placeholder, skipped like a missing block. */
  emptyBlocks: Engine[];
  /** Registry reference to the Lua table of the phase functions (laid out as new_definition in the prelude says). */
  readonly ref: number;
}

/** A block's `options{ ... }` (DESIGN §1); absent when the block does not call it. */
export interface BlockOptions {
  /** False: the migration runs without the runner's transaction, each statement committing on its own. */
  transaction: boolean;
  /** PostgreSQL durations as written (`"5s"`, `"1min"`), set with SET LOCAL around the migration. */
  lockTimeout?: string;
  statementTimeout?: string;
}

/** The results of a phase: the values the Lua function returned (read by `inspect`), or the failure. */
export type PhaseResult = { ok: true; returned: ReturnedError | null } | { ok: false; failure: LuaFailure };

/** A non-nil second return value: the function reported an error explicitly (`return nil, err`). */
export interface ReturnedError {
  message: string;
  sql?: string;
  /** The line of the `return` statement. */
  line?: number;
}

/** Engines and phases numbered as in the prelude (its ENGINES and PHASES, from 0 and from 1): the index is the number. */
const PHASE_ORDER: readonly Phase[] = ['up', 'down', 'after'];

/** Characters of `print` output kept per phase; what comes after is dropped. */
const MAX_OUTPUT = 1_000_000;

const LIBRARIES: Array<[string, unknown]> = [
  ['_G', lualib.luaopen_base],
  [lualib.LUA_COLIBNAME, lualib.luaopen_coroutine],
  [lualib.LUA_TABLIBNAME, lualib.luaopen_table],
  [lualib.LUA_STRLIBNAME, lualib.luaopen_string],
  [lualib.LUA_MATHLIBNAME, lualib.luaopen_math],
  [lualib.LUA_UTF8LIBNAME, lualib.luaopen_utf8],
  [lualib.LUA_OSLIBNAME, lualib.luaopen_os],
];

export class LuaHost implements DbServices {
  readonly bridge = new Bridge();
  private readonly L: LuaState;
  /** The prelude's new_env, called once per file. */
  private readonly newEnvRef: number;
  private readonly errorMetaRef: number;
  private readonly printRef: number;
  /** Lines printed by the code of the current run. */
  private output: string[] = [];
  /** Characters in `output`: print is capped, so a loop printing big strings cannot fill the host's memory. */
  private outputSize = 0;

  constructor(readonly limits: Limits = DEFAULT_LIMITS) {
    const L: LuaState = lauxlib.luaL_newstate();
    this.L = L;
    for (const [name, open] of LIBRARIES) {
      lauxlib.luaL_requiref(L, to_luastring(name), open, 1);
      lua.lua_pop(L, 1);
    }
    // A JavaScript exception inside a host function becomes a Lua error pcall can see, not a dead coroutine.
    lua.lua_atnativeerror(L, (T: LuaState) => {
      const e = lua.lua_touserdata(T, -1);
      lua.lua_pushstring(T, to_luastring(`internal error: ${e instanceof Error ? e.message : String(e)}`));
      return 1;
    });
    this.bridge.install(L);

    if (lauxlib.luaL_loadbuffer(L, to_luastring(PRELUDE), null, to_luastring('=prelude', true)) !== lua.LUA_OK) {
      throw new Error(`Lua prelude failed to compile: ${toJsString(L, -1)}`);
    }
    lua.lua_pushcfunction(L, this.bridge.coroutineResume);
    lua.lua_pushlightuserdata(L, SQL_NULL);
    lua.lua_pushcfunction(L, this.bridge.limitReached);
    if (lua.lua_pcall(L, 3, 1, 0) !== lua.LUA_OK) throw new Error(`Lua prelude failed: ${toJsString(L, -1)}`);
    lua.lua_getfield(L, -1, to_luastring('error_meta', true));
    this.errorMetaRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_getfield(L, -1, to_luastring('new_env', true));
    this.newEnvRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_pop(L, 1); // the toolbox: new_env and error_meta are all the host keeps of it

    lua.lua_pushcfunction(L, (T: LuaState) => {
      if (this.outputSize >= MAX_OUTPUT) return 0;
      const n = lua.lua_gettop(T);
      const parts: string[] = [];
      let size = this.outputSize;
      for (let i = 1; i <= n && size < MAX_OUTPUT; i++) {
        const bytes: Uint8Array = lauxlib.luaL_tolstring(T, i);
        parts.push(luaBytesToString(bytes.subarray(0, MAX_OUTPUT - size)));
        size += bytes.length + 1;
        lua.lua_pop(T, 1);
      }
      let line = parts.join('\t');
      if (size > MAX_OUTPUT)
        line += ` … (output cut: more than ${MAX_OUTPUT.toLocaleString('en-US')} characters printed)`;
      this.outputSize = size;
      this.output.push(line);
      return 0;
    });
    this.printRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  }

  private readonly keyRefs = new Map<string, number>();

  pushKey(L: LuaState, key: string): void {
    let ref = this.keyRefs.get(key);
    if (ref === undefined) {
      lua.lua_pushstring(this.L, to_luastring(key));
      ref = lauxlib.luaL_ref(this.L, lua.LUA_REGISTRYINDEX) as number;
      this.keyRefs.set(key, ref);
    }
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
  }

  /** A Lua error value for a failed statement: fields message, sql, code; tostring(err) and err:kind(). */
  pushError(L: LuaState, error: StatementError): void {
    lua.lua_createtable(L, 0, 4);
    lua.lua_pushstring(L, to_luastring(error.message));
    lua.lua_setfield(L, -2, to_luastring('message', true));
    lua.lua_pushstring(L, to_luastring(error.kind));
    lua.lua_setfield(L, -2, to_luastring('category', true));
    if (error.sql !== undefined) {
      lua.lua_pushstring(L, to_luastring(error.sql));
      lua.lua_setfield(L, -2, to_luastring('sql', true));
    }
    if (error.code !== undefined) {
      lua.lua_pushstring(L, to_luastring(error.code));
      lua.lua_setfield(L, -2, to_luastring('code', true));
    }
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.errorMetaRef);
    lua.lua_setmetatable(L, -2);
  }

  /** Compiles and runs a migration file's top level. Throws LoadError with the file and Lua line on any problem. */
  compile(file: string, source: string): CompiledMigration {
    const L = this.L;
    const top = lua.lua_gettop(L);
    const run = new LuaRun(this.limits);
    const previous = this.bridge.active;
    this.bridge.active = run;
    this.bridge.install(L);
    try {
      lua.lua_createtable(L, 0, 1); // holder: define() stores the definition here
      const holder = lua.lua_gettop(L);
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.newEnvRef);
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.printRef);
      lua.lua_pushvalue(L, holder);
      lua.lua_call(L, 2, 1);
      const env = lua.lua_gettop(L);

      const status = lauxlib.luaL_loadbufferx(
        L,
        // A UTF-8 byte-order mark (some editors save one) is skipped, as the reference Lua's loadfile does.
        to_luastring(source.charCodeAt(0) === 0xfeff ? source.slice(1) : source),
        null,
        to_luastring(`@${file}`),
        to_luastring('t', true),
      );
      if (status !== lua.LUA_OK) throw new LoadError(this.failureFromStack(L, L, file));
      lua.lua_pushvalue(L, env);
      lua.lua_setupvalue(L, -2, 1);
      run.startSlice();
      const ran = lua.lua_pcall(L, 0, 0, 0);
      run.endSlice();
      if (ran !== lua.LUA_OK || run.stopped) {
        const failure = this.failureFromStack(L, L, file);
        throw new LoadError(run.stopped ? { message: run.stopped.message, file, limit: run.stopped.code } : failure);
      }

      // define() left the definition in the holder under integer keys (see new_definition in the prelude): no key strings.
      if (lua.lua_rawgeti(L, holder, 1) !== lua.LUA_TSTRING) {
        throw new LoadError({
          file,
          message: `${file} does not define a migration: it must end with return require("migration").define(function() ... end)`,
        });
      }
      const description = toJsString(L, -1) ?? '';
      lua.lua_rawgeti(L, holder, 2);
      const flags = lua.lua_tointeger(L, -1) as number;
      const blocks: CompiledMigration['blocks'] = {};
      const emptyBlocks: Engine[] = [];
      ENGINES.forEach((engine, e) => {
        const bits = flags >> (e * 4);
        if (bits & 1) blocks[engine] = { down: (bits & 2) !== 0, after: (bits & 4) !== 0 };
        else if (bits & 8) emptyBlocks.push(engine);
      });
      if (lua.lua_rawgeti(L, holder, 4) === lua.LUA_TTABLE) {
        ENGINES.forEach((engine, e) => {
          const block = blocks[engine];
          if (lua.lua_rawgeti(L, -1, e + 1) === lua.LUA_TTABLE && block) block.options = readOptions(L);
          lua.lua_pop(L, 1);
        });
      }
      lua.lua_pop(L, 1);
      lua.lua_rawgeti(L, holder, 3);
      const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
      return { file, description, blocks, emptyBlocks, ref };
    } finally {
      lua.lua_settop(L, top);
      this.bridge.active = previous;
    }
  }

  /** Frees a compiled migration's Lua values. */
  release(migration: CompiledMigration): void {
    lauxlib.luaL_unref(this.L, lua.LUA_REGISTRYINDEX, migration.ref);
  }

  /** Lines the code printed since the last call. */
  takeOutput(): string[] {
    const lines = this.output;
    this.output = [];
    this.outputSize = 0;
    return lines;
  }

  /** Runs one phase of a compiled migration in a new coroutine with the `db` object as its argument. */
  async runPhase(migration: CompiledMigration, phase: Phase, tx: Transaction): Promise<PhaseResult> {
    const engine = tx.engine;
    const L = this.L;
    const top = lua.lua_gettop(L);
    this.bridge.install(L); // a previous run may have left the hook firing on every instruction
    const thread: LuaState = lua.lua_newthread(L);
    const threadRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_settop(L, top);
    let endDb = () => {};
    try {
      lua.lua_rawgeti(thread, lua.LUA_REGISTRYINDEX, migration.ref);
      if (
        lua.lua_rawgeti(thread, -1, ENGINES.indexOf(engine) * 3 + PHASE_ORDER.indexOf(phase) + 1) !== lua.LUA_TFUNCTION
      ) {
        return {
          ok: false,
          failure: { file: migration.file, message: `${migration.file} has no ${phase} for ${engine}` },
        };
      }
      lua.lua_replace(thread, 1);
      lua.lua_settop(thread, 1);
      // Kept as a JavaScript reference only: a Lua value left on the main state's stack would make it look like a
      // coroutine that code holding the main thread (coroutine.running() at a file's top level) could resume.
      const phaseFunction = functionOf(thread, 1);
      endDb = pushDbObject(thread, tx, this);

      const run = new LuaRun(this.limits);
      const status = await this.bridge.drive(thread, run, 1);
      if (run.stopped) {
        return {
          ok: false,
          failure: { message: run.stopped.message, file: migration.file, ...lineOf(thread), limit: run.stopped.code },
        };
      }
      if (status !== lua.LUA_OK) {
        // Move the error value off the dead coroutine before looking at it (calling into it trips fengari's checks).
        lua.lua_xmove(thread, L, 1);
        const failure = this.failureFromStack(L, thread, migration.file);
        return { ok: false, failure };
      }
      const returned = this.returnedError(thread);
      if (returned) {
        const line = returnLine(thread, phaseFunction);
        if (line !== undefined) returned.line = line;
      }
      // Leave the finished thread empty, as Lua's own coroutine.resume does: code that kept a reference to it
      // (coroutine.running()) and resumes it later must find a dead coroutine, not start its leftovers.
      lua.lua_settop(thread, 0);
      return { ok: true, returned };
    } finally {
      endDb();
      lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, threadRef);
      lua.lua_settop(L, top);
    }
  }

  /** `return nil, err` / `return false, err` / `return db:execute(bad)`: a non-nil second return value. */
  private returnedError(thread: LuaState): ReturnedError | null {
    if (lua.lua_gettop(thread) < 2 || lua.lua_isnil(thread, 2)) return null;
    const described = this.describeError(thread, 2);
    return { message: described.message, sql: described.sql };
  }

  /** Turns the error value on top of `L` into a failure; `positions` is the thread whose stack shows where. */
  private failureFromStack(L: LuaState, positions: LuaState, file: string): LuaFailure {
    const described = this.describeError(L, -1);
    lua.lua_pop(L, 1);
    // A string error usually starts with "file:line: "; take the position from there, else from the stack.
    const match = /^([^:\n]+\.lua):(\d+): ([\s\S]*)$/.exec(described.message);
    if (match) {
      return { file: match[1], line: Number(match[2]), message: match[3], sql: described.sql };
    }
    return { file, ...lineOf(positions, 0), message: described.message, sql: described.sql };
  }

  /** The message (and statement) of any Lua error value, in Lua's words (never fengari's "JS stack"). */
  private describeError(L: LuaState, index: number): { message: string; sql?: string } {
    const described = this.describeErrorValue(L, index);
    described.message = described.message
      .replace(/\bJS stack overflow\b/g, 'stack overflow (calls nested too deeply: unbounded recursion?)')
      .replace(/\btoo many JS levels\b/g, 'too many nested calls (unbounded recursion?)');
    return described;
  }

  private describeErrorValue(L: LuaState, index: number): { message: string; sql?: string } {
    const i = lua.lua_absindex(L, index);
    if (lua.lua_type(L, i) === lua.LUA_TTABLE) {
      // Raw reads only: the value is the code's, and an __index of its own would run here, outside any budget.
      let sql: string | undefined;
      if (rawField(L, i, 'sql') === lua.LUA_TSTRING) sql = toJsString(L, -1) ?? undefined;
      lua.lua_pop(L, 1);
      if (lauxlib.luaL_getmetafield(L, i, to_luastring('__tostring', true)) !== lua.LUA_TNIL) {
        lua.lua_pop(L, 1);
        const message = this.safeToString(L, i);
        return { message, sql };
      }
      if (rawField(L, i, 'message') === lua.LUA_TSTRING) {
        const message = toJsString(L, -1) ?? '';
        lua.lua_pop(L, 1);
        return { message, sql };
      }
      lua.lua_pop(L, 1);
      return { message: 'error object is a table value', sql };
    }
    const text = toJsString(L, i);
    if (text !== null) return { message: text };
    if (lua.lua_isnil(L, i)) return { message: 'error(nil) was raised: pass a message, error("what went wrong")' };
    return { message: `error object is a ${luaBytesToString(lua.lua_typename(L, lua.lua_type(L, i)))} value` };
  }

  /** tostring(value) run protected, under a small budget: a hostile __tostring cannot hang or break the host. */
  private safeToString(L: LuaState, index: number): string {
    const run = new LuaRun({ instructions: 1_000_000, luaTimeMs: 1000 });
    const previous = this.bridge.active;
    this.bridge.active = run;
    this.bridge.install(L);
    lua.lua_pushcfunction(L, (T: LuaState) => {
      lauxlib.luaL_tolstring(T, 1);
      return 1;
    });
    lua.lua_pushvalue(L, index);
    run.startSlice();
    const status = lua.lua_pcall(L, 1, 1, 0);
    run.endSlice();
    this.bridge.active = previous;
    const text = status === lua.LUA_OK ? toJsString(L, -1) : null;
    lua.lua_pop(L, 1);
    return text ?? 'error object could not be converted to a string';
  }
}

/** Pushes t[name] without metamethods; returns its type. */
function rawField(L: LuaState, index: number, name: string): number {
  lua.lua_pushstring(L, to_luastring(name, true));
  return lua.lua_rawget(L, index);
}

/** The options table the prelude built (integer keys: 1 transaction, 2 lock_timeout, 3 statement_timeout) on top of L. */
function readOptions(L: LuaState): BlockOptions {
  const options: BlockOptions = { transaction: true };
  lua.lua_rawgeti(L, -1, 1);
  options.transaction = lua.lua_toboolean(L, -1);
  lua.lua_pop(L, 1);
  if (lua.lua_rawgeti(L, -1, 2) === lua.LUA_TSTRING) options.lockTimeout = toJsString(L, -1) ?? undefined;
  lua.lua_pop(L, 1);
  if (lua.lua_rawgeti(L, -1, 3) === lua.LUA_TSTRING) options.statementTimeout = toJsString(L, -1) ?? undefined;
  lua.lua_pop(L, 1);
  return options;
}

function lineOf(thread: LuaState, level = 0): { line?: number } {
  const position = luaPosition(thread, level);
  return position ? { line: position.line } : {};
}
