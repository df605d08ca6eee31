/**
 * What `moonwalk new NAME` and the playground's "New migration" write: the next number in the folder's numbering and
 * a commented migration that runs as written on every engine it has a block for.
 */
import { ENGINES, type Engine } from './driver.ts';

/** The next number after the files' own (`0004` after `0003_x.lua`), padded like them; `0001` for none. */
export function nextMigrationNumber(fileNames: readonly string[]): string {
  const numbers = fileNames.map((f) => /^(\d+)_/.exec(f)?.[1]).filter((n): n is string => n !== undefined);
  const width = numbers.length ? Math.max(...numbers.map((n) => n.length)) : 4;
  const next = numbers.length ? Math.max(...numbers.map(Number)) + 1 : 1;
  return String(next).padStart(width, '0');
}

/** A name as an id part: lower case, words joined by `_` (`Add email!` → `add_email`); '' when nothing is left. */
export function migrationSlug(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

const CREATE: Record<Engine, (table: string) => string> = {
  sqlite: (t) =>
    `CREATE TABLE IF NOT EXISTS ${t} (\n                        id INTEGER PRIMARY KEY,\n                        name TEXT NOT NULL\n                    )`,
  postgres: (t) =>
    `CREATE TABLE IF NOT EXISTS ${t} (\n                        id SERIAL PRIMARY KEY,\n                        name TEXT NOT NULL\n                    )`,
  mysql: (t) =>
    `CREATE TABLE IF NOT EXISTS ${t} (\n                        id INT AUTO_INCREMENT PRIMARY KEY,\n                        name VARCHAR(255) NOT NULL\n                    )`,
};

/** The text of a new migration called `slug` with a block for each of `engines`. */
export function migrationTemplate(slug: string, engines: readonly Engine[] = ENGINES): string {
  const table = slug.replace(/^(create|add|make)_/, '').replace(/_table$/, '') || 'items';
  const blocks = engines.map(
    (engine) => `        database("${engine}", function()
            up(function(db)
                -- Parameters (?) instead of string concatenation: db:execute(sql, {value1, value2})
                local _, err = db:execute([[
                    ${CREATE[engine](table)}
                ]])
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE IF EXISTS ${table}")
                if err then error(err) end
            end)
        end)`,
  );
  return `-- ${slug}
-- One migration per file: its id is the file name. up (and after) run in one transaction together with the
-- migration's row in _migrations; any error rolls all of it back. Write down so that it undoes up exactly:
-- verify checks that it does.
return require("migration").define(function()
    migration("${slug.replace(/_/g, ' ')}", function()
${blocks.join('\n\n')}
    end)
end)
`;
}
