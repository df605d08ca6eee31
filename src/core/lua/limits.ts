/**
 * The budget of migration code, in a module of its own: the command reads the defaults for its flags without
 * loading the Lua VM (bridge.ts), which only the commands that run Lua need.
 */
export interface Limits {
  /** Lua VM instructions one phase (or one file's loading) may execute. */
  instructions: number;
  /** Milliseconds of Lua execution (time waiting for the database not counted). */
  luaTimeMs: number;
}

export const DEFAULT_LIMITS: Limits = { instructions: 200_000_000, luaTimeMs: 20_000 };

/** Which limit stopped the code; the edges (the command, the page) say how to raise it in their own words. */
export type LimitCode = 'instruction_limit' | 'time_limit';
