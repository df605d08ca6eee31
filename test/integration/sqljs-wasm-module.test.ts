/**
 * openSqlJs with a wasm module compiled ahead (`wasmModule`), the way the playground's worker opens SQLite: its entry
 * starts compiling sql.js's wasm before the rest of the worker has loaded. Real sql.js, its own wasm file.
 * sql.js initialises once per realm; each test file runs in its own process, so the first call here is the first.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { openSqlJs } from '../../src/drivers/sqljs.ts';

const require = createRequire(import.meta.url);

describe('openSqlJs({ wasmModule })', () => {
  test('a wasm that failed to download rejects the open, and a later open with a good one succeeds', async () => {
    await expect(openSqlJs({ wasmModule: Promise.reject(new Error('HTTP 404 for sql-wasm.wasm')) })).rejects.toThrow(
      'HTTP 404 for sql-wasm.wasm',
    );

    const compiled = WebAssembly.compile(readFileSync(require.resolve('sql.js/dist/sql-wasm.wasm')));
    const driver = await openSqlJs({ wasmModule: compiled });
    try {
      driver.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)', []);
      driver.execute('INSERT INTO t (name) VALUES (?)', ['Alice']);
      const result = driver.query('SELECT id, name FROM t', []);
      expect(result.rows).toEqual([[1, 'Alice']]);
    } finally {
      await driver.close();
    }
  });
});
