/**
 * A person's own SQLite database as issue 13 tries it: `users` (three columns, a few rows) and `orders` with a foreign
 * key, made by better-sqlite3 in a file, with a `_migrations` ledger in which the first of `OWN_FILES` is applied.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LuaHost } from '../../src/core/lua/host.ts';
import { migrationFiles } from '../../src/core/migration-files.ts';
import { Migrator } from '../../src/core/migrator.ts';
import { openSqliteFile } from '../../src/drivers/better-sqlite3.ts';
import type { SourceFile } from '../../src/web/worker/protocol.ts';

const sql = (id: string, up: string, down: string) => `return require("migration").define(function()
    migration("${id}", function()
        for _, engine in ipairs({ "sqlite", "postgres" }) do
            database(engine, function()
                up(function(db) db:execute("${up}") end)
                down(function(db) db:execute("${down}") end)
            end)
        end
    end)
end)
`;

export const OWN_FILES: SourceFile[] = [
  {
    name: '0001_index_emails.lua',
    text: sql('index emails', 'CREATE INDEX users_email ON users (email)', 'DROP INDEX users_email'),
  },
  {
    name: '0002_add_notes.lua',
    text: sql('add notes', 'ALTER TABLE orders ADD COLUMN note TEXT', 'ALTER TABLE orders DROP COLUMN note'),
  },
];

/** Writes the database into a new folder in `dir` and answers its path and bytes. */
export async function makeOwnSqlite(dir: string): Promise<{ path: string; bytes: Uint8Array<ArrayBuffer> }> {
  const path = join(mkdtempSync(join(dir, 'own-')), 'app.sqlite');
  const driver = openSqliteFile(path);
  driver.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), total REAL);
    INSERT INTO users VALUES (1, 'Ada', 'ada@example.com'), (2, 'Grace', 'grace@example.com'), (3, 'Linus', NULL);
    INSERT INTO orders VALUES (1, 1, 9.5), (2, 1, 20), (3, 2, 7.25);`);
  const host = new LuaHost();
  const migrator = new Migrator({ driver, files: migrationFiles(OWN_FILES.slice(0, 1)), host });
  const result = await migrator.up();
  migrator.dispose();
  await driver.close();
  if (!result.ok) throw new Error(`the test database could not be made: ${result.error?.message}`);
  return { path, bytes: new Uint8Array(readFileSync(path)) };
}
