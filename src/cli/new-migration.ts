/** `moonwalk new NAME`: the next id in the folder's numbering and a commented template that runs as written. */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from './args.ts';

export async function writeNewMigration(dir: string, rawName: string): Promise<string> {
  const name = rawName.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  if (!name) throw new UsageError(`"${rawName}" is not a usable name: use letters, digits and underscores, e.g. add_email_to_users`);
  await mkdir(dir, { recursive: true });
  const existing = (await readdir(dir)).filter((f) => f.endsWith('.lua'));
  const numbers = existing.map((f) => /^(\d+)_/.exec(f)?.[1]).filter((n): n is string => n !== undefined);
  const width = numbers.length ? Math.max(...numbers.map((n) => n.length)) : 4;
  const next = numbers.length ? Math.max(...numbers.map(Number)) + 1 : 1;
  const id = `${String(next).padStart(width, '0')}_${name}`;
  const path = join(dir, `${id}.lua`);
  await writeFile(path, template(name), { flag: 'wx' });
  return path;
}

function template(name: string): string {
  const table = name.replace(/^(create|add|make)_/, '').replace(/_table$/, '') || name;
  return `-- ${name}
-- One migration per file: its id is the file name. Moonwalk runs up (and after) in one transaction, records the
-- migration in _migrations, and commits; any error rolls all of it back. Write down so that it undoes up exactly:
-- \`moonwalk verify\` checks that it does.
return require("migration").define(function()
    migration("${name.replace(/_/g, ' ')}", function()
        database("sqlite", function()
            up(function(db)
                -- Parameters (?) instead of string concatenation: db:execute(sql, {value1, value2})
                local _, err = db:execute([[
                    CREATE TABLE IF NOT EXISTS ${table} (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL
                    )
                ]])
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE IF EXISTS ${table}")
                if err then error(err) end
            end)
        end)

        database("postgres", function()
            up(function(db)
                local _, err = db:execute([[
                    CREATE TABLE IF NOT EXISTS ${table} (
                        id SERIAL PRIMARY KEY,
                        name TEXT NOT NULL
                    )
                ]])
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE IF EXISTS ${table}")
                if err then error(err) end
            end)
        end)

        database("mysql", function()
            up(function(db)
                local _, err = db:execute([[
                    CREATE TABLE IF NOT EXISTS ${table} (
                        id INT AUTO_INCREMENT PRIMARY KEY,
                        name VARCHAR(255) NOT NULL
                    )
                ]])
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE IF EXISTS ${table}")
                if err then error(err) end
            end)
        end)
    end)
end)
`;
}
