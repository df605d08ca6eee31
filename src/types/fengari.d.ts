// fengari ships no types. The core only touches it through src/core/lua/fengari.ts, which re-exports what it uses.
declare module 'fengari' {
  /* eslint-disable @typescript-eslint/no-explicit-any */
  export const lua: any;
  export const lauxlib: any;
  export const lualib: any;
  export function to_luastring(s: string, cache?: boolean): Uint8Array;
  export function to_jsstring(b: Uint8Array, from?: number, to?: number, replacement_char?: boolean): string;
}
