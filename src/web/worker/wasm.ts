/**
 * Fetching and compiling the engines' WebAssembly. Kept free of other imports: the worker's entry
 * (`worker-entry.ts`) imports it to start SQLite's download before anything else of the worker has loaded.
 */
// The wasm that belongs to `sql-wasm-browser.js`, the file the resolver picks for sql.js's `browser` export.
import sqliteWasmUrl from 'sql.js/dist/sql-wasm-browser.wasm?url';

/** Fetches and compiles `url`, compiling while it streams in when the server says `application/wasm`. */
export async function compileWasm(url: string): Promise<WebAssembly.Module> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
  if (response.headers.get('Content-Type')?.startsWith('application/wasm'))
    return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}

/** sql.js's wasm, downloaded and compiled. */
export function compileSqliteWasm(): Promise<WebAssembly.Module> {
  return compileWasm(sqliteWasmUrl);
}
