/**
 * Runs Lua code in coroutines that can wait for the database. A host function whose engine answers with a promise
 * parks it in `pending` and yields; the drive loop awaits it, pushes the results and resumes. Synchronous engines
 * (sql.js, better-sqlite3) never yield, so they pay nothing for this.
 *
 * The same mechanism watches the budget: a count hook adds up instructions and Lua time and raises a Lua error when
 * either runs out. After that the hook fires on every instruction, so code that catches the error with pcall cannot
 * carry on: each level of pcall unwinds at its next instruction.
 */
import { lua, to_luastring, raiseLuaError, raiseLuaErrorHere, type LuaState } from './fengari.ts';
import type { LimitCode, Limits } from './limits.ts';

/** A run stopped by a limit: the code for the edges, the message the Lua code (and the person) sees. */
export interface LimitStop {
  code: LimitCode;
  message: string;
}

/** Pushes the results of a finished host call onto the thread that will be resumed; returns how many. */
export type Pusher = (L: LuaState) => number;

const HOOK_INTERVAL = 1000;

export const CANNOT_WAIT =
  'this database call cannot wait for the engine here: a call from inside a table.sort comparator, a string.gsub ' +
  'callback, or a metamethod run by a library function (such as __tostring from tostring or print) cannot pause ' +
  'on this engine; make the call outside it';

/** The budget and the parked host call of one run of Lua code. */
export class LuaRun {
  pending: Promise<Pusher> | null = null;
  instructions = 0;
  luaTimeMs = 0;
  private sliceStart = 0;
  /** Set once a limit is exceeded: the run's result is this error, whatever the Lua code does afterwards. */
  stopped: LimitStop | null = null;

  constructor(readonly limits: Limits) {}

  startSlice(): void {
    this.sliceStart = performance.now();
  }

  endSlice(): void {
    this.luaTimeMs += performance.now() - this.sliceStart;
  }

  /** Called by the hook every HOOK_INTERVAL instructions. */
  check(): LimitStop | null {
    if (this.stopped !== null) return this.stopped;
    this.instructions += HOOK_INTERVAL;
    if (this.instructions > this.limits.instructions) {
      this.stopped = {
        code: 'instruction_limit',
        message: `stopped: the code ran more than ${this.limits.instructions.toLocaleString('en-US')} Lua instructions (an endless loop?)`,
      };
    } else if (this.luaTimeMs + (performance.now() - this.sliceStart) > this.limits.luaTimeMs) {
      this.stopped = {
        code: 'time_limit',
        message: `stopped: the code ran for more than ${this.limits.luaTimeMs / 1000} s of Lua time (an endless loop?)`,
      };
    }
    return this.stopped;
  }
}

/** Holds the active run so that the hook and host functions, which only receive a lua_State, can reach it. */
export class Bridge {
  active: LuaRun | null = null;

  /** The count hook; install with `lua_sethook(L, bridge.hook, LUA_MASKCOUNT, HOOK_INTERVAL)`. */
  readonly hook = (L: LuaState): void => {
    const run = this.active;
    if (run === null) return;
    const stop = run.check();
    if (stop !== null) {
      lua.lua_sethook(L, this.hook, lua.LUA_MASKCOUNT, 1);
      raiseLuaError(L, stop.message);
    }
  };

  /** Threads inside `coroutine.resume` right now, outermost first: a yield from `L` must pass through each. */
  private readonly resumers: LuaState[] = [];

  /**
   * Can a host call made on `L` park and yield to the drive loop? Not from inside a JS call such as a table.sort
   * comparator, in `L` or in any thread that resumed it (a user coroutine resumed from inside a comparator).
   */
  canWait(L: LuaState): boolean {
    if (!lua.lua_isyieldable(L)) return false;
    for (const resumer of this.resumers) if (!lua.lua_isyieldable(resumer)) return false;
    return true;
  }

  /** `limit_reached()` for the prelude: true once the active run has hit a limit. */
  readonly limitReached = (L: LuaState): number => {
    lua.lua_pushboolean(L, this.active !== null && this.active.stopped !== null);
    return 1;
  };

  install(L: LuaState): void {
    lua.lua_sethook(L, this.hook, lua.LUA_MASKCOUNT, HOOK_INTERVAL);
  }

  /**
   * Answers a host call: synchronously when `value` is not a promise, otherwise by parking it and yielding.
   * `onOk`/`onError` push the call's results and return how many.
   */
  answer<T>(
    L: LuaState,
    value: T | Promise<T>,
    onOk: (L: LuaState, v: T) => number,
    onError: (L: LuaState, e: unknown) => number,
  ): number {
    if (!(value instanceof Promise)) return onOk(L, value);
    if (!this.canWait(L)) {
      value.catch(() => undefined);
      raiseLuaErrorHere(L, CANNOT_WAIT);
    }
    const run = this.active;
    if (run === null) throw new Error('a host call was made outside a Lua run');
    run.pending = value.then(
      (v) => (T: LuaState) => onOk(T, v),
      (e) => (T: LuaState) => onError(T, e),
    );
    return lua.lua_yield(L, 0);
  }

  /** Resumes `thread` until it finishes, awaiting each parked host call. Returns the final lua_resume status. */
  async drive(thread: LuaState, run: LuaRun, nargs: number): Promise<number> {
    const previous = this.active;
    this.active = run;
    try {
      let status = this.resumeSlice(thread, run, nargs);
      while (status === lua.LUA_YIELD) {
        const pending = run.pending;
        run.pending = null;
        if (pending === null) {
          lua.lua_settop(thread, 0);
          lua.lua_pushstring(
            thread,
            to_luastring(
              'coroutine.yield() was called outside a coroutine: the migration function itself cannot yield',
            ),
          );
          return lua.LUA_ERRRUN;
        }
        this.active = previous;
        const push = await pending;
        this.active = run;
        status = this.resumeSlice(thread, run, push(thread));
      }
      return status;
    } finally {
      this.active = previous;
    }
  }

  private resumeSlice(thread: LuaState, run: LuaRun, nargs: number): number {
    run.startSlice();
    try {
      return lua.lua_resume(thread, null, nargs);
    } finally {
      run.endSlice();
    }
  }

  /**
   * `coroutine.resume` for migration code. A user's coroutine would otherwise swallow the bridge's yield; this one
   * passes it on to the outer level and resumes the inner coroutine with the engine's answer.
   */
  readonly coroutineResume = (L: LuaState): number => {
    const co: LuaState | null = lua.lua_tothread(L, 1);
    if (!co) return raiseLuaError(L, "bad argument #1 to 'resume' (coroutine expected)");
    const nargs = lua.lua_gettop(L) - 1;
    // The checks of Lua's own auxresume: lua_resume does not make them all, and a dead coroutine trips its asserts.
    if (co === L || (lua.lua_status(co) === lua.LUA_OK && lua.lua_gettop(co) === 0)) {
      lua.lua_pushboolean(L, false);
      lua.lua_pushstring(
        L,
        to_luastring(co === L ? 'cannot resume non-suspended coroutine' : 'cannot resume dead coroutine'),
      );
      return 2;
    }
    if (!lua.lua_checkstack(co, nargs)) return raiseLuaError(L, 'too many arguments to resume');
    lua.lua_xmove(L, co, nargs);
    return this.resumeInner(L, co, nargs);
  };

  /** Resumes `co` from `L`, whose stack holds only `co` itself (at 1) besides what this pushes. */
  private resumeInner(L: LuaState, co: LuaState, nargs: number): number {
    let status: number;
    this.resumers.push(L);
    try {
      status = lua.lua_resume(co, L, nargs);
    } finally {
      this.resumers.pop();
    }
    if (status === lua.LUA_YIELD && this.active?.pending) {
      // The inner coroutine waits for the database: yield outward; the continuation resumes it with the answer.
      return lua.lua_yieldk(L, 0, co, this.continueInner);
    }
    if (status === lua.LUA_OK || status === lua.LUA_YIELD) {
      const n = lua.lua_gettop(co);
      if (!lua.lua_checkstack(L, n + 1)) return raiseLuaError(L, 'too many results to resume');
      lua.lua_pushboolean(L, true);
      lua.lua_xmove(co, L, n);
      return n + 1;
    }
    lua.lua_pushboolean(L, false);
    lua.lua_xmove(co, L, 1);
    return 2;
  }

  private readonly continueInner = (L: LuaState, _status: number, co: LuaState): number => {
    // The stack is the one resumeInner yielded with (`co` at 1) plus the engine's answer: pass on only the answer.
    const n = lua.lua_gettop(L) - 1;
    lua.lua_xmove(L, co, n);
    return this.resumeInner(L, co, n);
  };
}
