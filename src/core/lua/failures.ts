/** How Lua code failed, as the runner reads it (without loading the Lua machinery that reports it). */
import type { LimitCode } from './limits.ts';

/** Where and why Lua code failed. */
export interface LuaFailure {
  message: string;
  file?: string;
  line?: number;
  /** The statement, when the error value came from a db method. */
  sql?: string;
  /** Set when a limit (instructions, time) stopped the code, rather than the code's own error. */
  limit?: LimitCode;
}

/** A file that does not load: a Lua syntax error, a misused DSL, a limit reached at its top level. */
export class LoadError extends Error {
  constructor(readonly failure: LuaFailure) {
    super(failure.message);
  }
}
