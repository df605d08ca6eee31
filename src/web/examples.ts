/**
 * The example set shown on first load (patterns from the migration guide: creating a table, adding a column with an
 * index, seeding data with a prepared statement), each for SQLite and PostgreSQL, and the template of "New migration".
 */
import type { SourceFile } from './worker/protocol.ts';
import { migrationTemplate as coreTemplate } from '../core/template.ts';

const createUsers = `-- Creating a table (the guide's "Creating Tables" pattern).
return require("migration").define(function()
    migration("Create users table", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute([[
                    CREATE TABLE IF NOT EXISTS users (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
                    )
                ]])
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE IF EXISTS users")
                if err then error(err) end
            end)
        end)

        database("postgres", function()
            up(function(db)
                local _, err = db:execute([[
                    CREATE TABLE IF NOT EXISTS users (
                        id SERIAL PRIMARY KEY,
                        name TEXT NOT NULL,
                        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
                    )
                ]])
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE IF EXISTS users")
                if err then error(err) end
            end)
        end)
    end)
end)
`;

const addEmail = `-- Adding a column and an index (the guide's "Adding Columns" and "Creating Indexes").
local function up_email(db)
    local _, err = db:execute("ALTER TABLE users ADD COLUMN email TEXT")
    if err then error(err) end
    _, err = db:execute("CREATE UNIQUE INDEX IF NOT EXISTS idx_users_email ON users(email)")
    if err then error(err) end
end

local function down_email(db)
    local _, err = db:execute("DROP INDEX IF EXISTS idx_users_email")
    if err then error(err) end
    _, err = db:execute("ALTER TABLE users DROP COLUMN email")
    if err then error(err) end
end

return require("migration").define(function()
    migration("Add email to users", function()
        database("sqlite", function()
            up(up_email)
            down(down_email)
        end)
        database("postgres", function()
            up(up_email)
            down(down_email)
        end)
    end)
end)
`;

const seedRoles = `-- Seeding data with a prepared statement (the guide's "Seeding Data" and "Using Prepared Statements").
local function seed(db)
    local stmt, err = db:prepare("INSERT INTO roles (name) VALUES (?)")
    if err then error(err) end
    for _, name in ipairs({ "admin", "user", "guest" }) do
        local _, ierr = stmt:execute({ name })
        if ierr then error(ierr) end
    end
    stmt:close()
end

local function drop_roles(db)
    local _, err = db:execute("DROP TABLE IF EXISTS roles")
    if err then error(err) end
end

return require("migration").define(function()
    migration("Create and seed roles", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE IF NOT EXISTS roles (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
                if err then error(err) end
                seed(db)
            end)
            down(drop_roles)
        end)
        database("postgres", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE IF NOT EXISTS roles (id SERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
                if err then error(err) end
                seed(db)
            end)
            down(drop_roles)
        end)
    end)
end)
`;

export const EXAMPLE_FILES: SourceFile[] = [
  { name: '0001_create_users.lua', text: createUsers },
  { name: '0002_add_email_to_users.lua', text: addEmail },
  { name: '0003_seed_roles.lua', text: seedRoles },
];

/** A new migration named `name` (without number or extension), for the engines the playground runs. */
export function migrationTemplate(name: string): string {
  return coreTemplate(name, ['sqlite', 'postgres']);
}
