/**
 * The Examples gallery: sets of migrations, one per pattern of the migration guide (docs/migration-guide.md), each
 * loaded into the editor as a whole (replacing the files) and run by nobody until the person asks.
 *
 * Every set applies and reverts cleanly on SQLite, and on PostgreSQL where its files have a postgres block, with
 * `down` undoing `up` exactly (schema and data): test/integration/web-examples.test.ts runs each one through the real
 * core, `verify` included.
 */
import { EXAMPLE_FILES } from './examples.ts';
import type { SourceFile } from './worker/protocol.ts';

export interface ExampleSet {
  id: string;
  title: string;
  /** One or two sentences: what the set shows. */
  summary: string;
  /** The guide's patterns it covers (short tags shown in the gallery). */
  patterns: string[];
  files: SourceFile[];
}

// ---------------------------------------------------------------------------------------------------------------
// Shared pieces

const createProducts = `-- Creating a table (the guide's "Creating Tables"): IF NOT EXISTS makes it idempotent.
return require("migration").define(function()
    migration("Create products table", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute([[
                    CREATE TABLE IF NOT EXISTS products (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        price REAL NOT NULL CHECK (price >= 0),
                        created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
                    )
                ]])
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE IF EXISTS products")
                if err then error(err) end
            end)
        end)

        database("postgres", function()
            up(function(db)
                local _, err = db:execute([[
                    CREATE TABLE IF NOT EXISTS products (
                        id SERIAL PRIMARY KEY,
                        name TEXT NOT NULL,
                        price NUMERIC(10, 2) NOT NULL CHECK (price >= 0),
                        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
                    )
                ]])
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE IF EXISTS products")
                if err then error(err) end
            end)
        end)
    end)
end)
`;

// ---------------------------------------------------------------------------------------------------------------
// Create a table

const createOrders = `-- A second table with a foreign key to the first: down drops it before products is dropped,
-- because migrations are reverted in the reverse order.
return require("migration").define(function()
    migration("Create orders table", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute([[
                    CREATE TABLE IF NOT EXISTS orders (
                        id INTEGER PRIMARY KEY,
                        product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
                        quantity INTEGER NOT NULL DEFAULT 1
                    )
                ]])
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE IF EXISTS orders")
                if err then error(err) end
            end)
        end)

        database("postgres", function()
            up(function(db)
                local _, err = db:execute([[
                    CREATE TABLE IF NOT EXISTS orders (
                        id SERIAL PRIMARY KEY,
                        product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
                        quantity INTEGER NOT NULL DEFAULT 1
                    )
                ]])
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE IF EXISTS orders")
                if err then error(err) end
            end)
        end)
    end)
end)
`;

// ---------------------------------------------------------------------------------------------------------------
// Add a column

const addDescription = `-- Adding a column (the guide's "Adding Columns"). The same SQL runs on both engines, so both
-- blocks share one pair of functions. DROP COLUMN needs SQLite 3.35 or later (the playground has it); on an
-- older SQLite, rebuild the table instead (see the "Rebuild a table" example).
local function add_description(db)
    local _, err = db:execute("ALTER TABLE products ADD COLUMN description TEXT")
    if err then error(err) end
end

local function drop_description(db)
    local _, err = db:execute("ALTER TABLE products DROP COLUMN description")
    if err then error(err) end
end

return require("migration").define(function()
    migration("Add description to products", function()
        database("sqlite", function()
            up(add_description)
            down(drop_description)
        end)
        database("postgres", function()
            up(add_description)
            down(drop_description)
        end)
    end)
end)
`;

// ---------------------------------------------------------------------------------------------------------------
// Indexes

const indexProducts = `-- Creating indexes (the guide's "Creating Indexes"): a plain one, a unique one on two columns and a
-- partial one. down drops them in the reverse order.
local INDEXES = {
    { name = "idx_products_name", sql = "CREATE INDEX idx_products_name ON products (name)" },
    { name = "idx_products_name_price", sql = "CREATE UNIQUE INDEX idx_products_name_price ON products (name, price)" },
    { name = "idx_products_free", sql = "CREATE INDEX idx_products_free ON products (name) WHERE price = 0" },
}

local function create_indexes(db)
    for _, index in ipairs(INDEXES) do
        local _, err = db:execute(index.sql)
        if err then error(err) end
    end
end

local function drop_indexes(db)
    for i = #INDEXES, 1, -1 do
        local _, err = db:execute("DROP INDEX IF EXISTS " .. INDEXES[i].name)
        if err then error(err) end
    end
end

return require("migration").define(function()
    migration("Index products", function()
        database("sqlite", function()
            up(create_indexes)
            down(drop_indexes)
        end)
        database("postgres", function()
            up(create_indexes)
            down(drop_indexes)
        end)
    end)
end)
`;

// ---------------------------------------------------------------------------------------------------------------
// Seed data

const createRoles = `-- The table the next migration seeds.
return require("migration").define(function()
    migration("Create roles table", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE roles (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE IF EXISTS roles")
                if err then error(err) end
            end)
        end)
        database("postgres", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE roles (id SERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE)")
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE IF EXISTS roles")
                if err then error(err) end
            end)
        end)
    end)
end)
`;

const seedRoles = `-- Seeding data (the guide's "Seeding Data"): several rows in one INSERT; down deletes exactly those
-- rows. after runs once up has succeeded, in the same transaction: here it checks what up did with db:query.
local function seed(db)
    local result, err = db:execute([[
        INSERT INTO roles (name) VALUES
        ('admin'), ('user'), ('guest')
    ]])
    if err then error(err) end
    print("inserted " .. result.rows_affected .. " roles")
end

local function unseed(db)
    local _, err = db:execute("DELETE FROM roles WHERE name IN ('admin', 'user', 'guest')")
    if err then error(err) end
end

local function check(db)
    local rows, err = db:query("SELECT count(*) AS n FROM roles WHERE name IN (?, ?, ?)", { "admin", "user", "guest" })
    if err then error(err) end
    if tonumber(rows[1].n) ~= 3 then error("expected 3 seeded roles, found " .. tostring(rows[1].n)) end
end

return require("migration").define(function()
    migration("Seed roles", function()
        database("sqlite", function()
            up(seed)
            down(unseed)
            after(check)
        end)
        database("postgres", function()
            up(seed)
            down(unseed)
            after(check)
        end)
    end)
end)
`;

// ---------------------------------------------------------------------------------------------------------------
// Prepared statements

const createPeople = `-- The table the next migration fills.
local function drop(db)
    local _, err = db:execute("DROP TABLE IF EXISTS people")
    if err then error(err) end
end

return require("migration").define(function()
    migration("Create people table", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE, age INTEGER)")
                if err then error(err) end
            end)
            down(drop)
        end)
        database("postgres", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE people (id SERIAL PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE, age INTEGER)")
                if err then error(err) end
            end)
            down(drop)
        end)
    end)
end)
`;

const insertPeople = `-- Prepared statements (the guide's "Using Prepared Statements"): prepare once, execute per row with
-- parameters bound to the ? placeholders in order (nil binds NULL). Never build SQL by concatenating values.
local PEOPLE = {
    { "Alice", "alice@example.com", 34 },
    { "Bob", "bob@example.com", nil },
    { "Charlie", "charlie@example.com", 27 },
}

local function insert_people(db)
    local stmt, err = db:prepare("INSERT INTO people (name, email, age) VALUES (?, ?, ?)")
    if err then error(err) end
    for _, person in ipairs(PEOPLE) do
        local _, ierr = stmt:execute(person)
        if ierr then error(ierr) end
    end
    stmt:close()

    -- db:query answers an array of rows, each a table keyed by column name.
    local rows, qerr = db:query("SELECT name, age FROM people WHERE age IS NOT NULL ORDER BY name")
    if qerr then error(qerr) end
    for _, row in ipairs(rows) do print(row.name .. " is " .. row.age) end
end

local function delete_people(db)
    local stmt, err = db:prepare("DELETE FROM people WHERE email = ?")
    if err then error(err) end
    for _, person in ipairs(PEOPLE) do
        local _, derr = stmt:execute({ person[2] })
        if derr then error(derr) end
    end
    stmt:close()
end

return require("migration").define(function()
    migration("Insert people with a prepared statement", function()
        database("sqlite", function()
            up(insert_people)
            down(delete_people)
        end)
        database("postgres", function()
            up(insert_people)
            down(delete_people)
        end)
    end)
end)
`;

// ---------------------------------------------------------------------------------------------------------------
// The SQLite table rebuild

const createMembers = `-- A table with data and an index, for the next migration to rebuild.
return require("migration").define(function()
    migration("Create members table", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute([[
                    CREATE TABLE members (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
                    )
                ]])
                if err then error(err) end
                _, err = db:execute("CREATE INDEX idx_members_name ON members (name)")
                if err then error(err) end
                _, err = db:execute("INSERT INTO members (name) VALUES ('ada'), ('grace'), ('linus')")
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE IF EXISTS members")
                if err then error(err) end
            end)
        end)
        database("postgres", function()
            up(function(db)
                local _, err = db:execute([[
                    CREATE TABLE members (
                        id SERIAL PRIMARY KEY,
                        name TEXT NOT NULL,
                        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
                    )
                ]])
                if err then error(err) end
                _, err = db:execute("CREATE INDEX idx_members_name ON members (name)")
                if err then error(err) end
                _, err = db:execute("INSERT INTO members (name) VALUES ('ada'), ('grace'), ('linus')")
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE IF EXISTS members")
                if err then error(err) end
            end)
        end)
    end)
end)
`;

const rebuildMembers = `-- The SQLite table rebuild (the guide's "Complex Schema Changes"): SQLite cannot add a NOT NULL column
-- without a default, nor change a column, with ALTER TABLE. So: create the new table, copy the rows, drop the old
-- table, rename the new one, and create its indexes again (they went with the old table). down rebuilds it back.
-- PostgreSQL's ALTER TABLE does it in place: the two blocks show the same change per engine.
local function run_all(db, statements)
    for _, sql in ipairs(statements) do
        local _, err = db:execute(sql)
        if err then error(err) end
    end
end

return require("migration").define(function()
    migration("Add a required email to members", function()
        database("sqlite", function()
            up(function(db)
                run_all(db, {
                    [[CREATE TABLE members_new (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        email TEXT NOT NULL,
                        created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
                    )]],
                    [[INSERT INTO members_new (id, name, email, created_at)
                      SELECT id, name, name || '@example.com', created_at FROM members]],
                    "DROP TABLE members",
                    "ALTER TABLE members_new RENAME TO members",
                    "CREATE INDEX idx_members_name ON members (name)",
                    "CREATE UNIQUE INDEX idx_members_email ON members (email)",
                })
            end)
            down(function(db)
                run_all(db, {
                    [[CREATE TABLE members_old (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
                    )]],
                    "INSERT INTO members_old (id, name, created_at) SELECT id, name, created_at FROM members",
                    "DROP TABLE members",
                    "ALTER TABLE members_old RENAME TO members",
                    "CREATE INDEX idx_members_name ON members (name)",
                })
            end)
        end)

        database("postgres", function()
            up(function(db)
                run_all(db, {
                    "ALTER TABLE members ADD COLUMN email TEXT",
                    "UPDATE members SET email = name || '@example.com'",
                    "ALTER TABLE members ALTER COLUMN email SET NOT NULL",
                    "CREATE UNIQUE INDEX idx_members_email ON members (email)",
                })
            end)
            down(function(db)
                run_all(db, {
                    "DROP INDEX IF EXISTS idx_members_email",
                    "ALTER TABLE members DROP COLUMN email",
                })
            end)
        end)
    end)
end)
`;

// ---------------------------------------------------------------------------------------------------------------
// Engine-specific blocks

const createEvents = `-- Database-specific code (the guide's "Database-Specific Code"): one database(...) block per engine,
-- each with the engine's own types. A migration without a block for the engine in use is skipped.
return require("migration").define(function()
    migration("Create events table", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute([[
                    CREATE TABLE events (
                        id INTEGER PRIMARY KEY,              -- an alias of the rowid: auto-incrementing
                        kind TEXT NOT NULL CHECK (kind IN ('info', 'warning', 'error')),
                        payload TEXT NOT NULL DEFAULT '{}',  -- JSON as text (json_extract reads it)
                        happened_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
                    )
                ]])
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE IF EXISTS events")
                if err then error(err) end
            end)
        end)

        database("postgres", function()
            up(function(db)
                local _, err = db:execute("CREATE TYPE event_kind AS ENUM ('info', 'warning', 'error')")
                if err then error(err) end
                _, err = db:execute([[
                    CREATE TABLE events (
                        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                        kind event_kind NOT NULL,
                        payload JSONB NOT NULL DEFAULT '{}',
                        happened_at TIMESTAMPTZ NOT NULL DEFAULT now()
                    )
                ]])
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE IF EXISTS events")
                if err then error(err) end
                _, err = db:execute("DROP TYPE IF EXISTS event_kind")
                if err then error(err) end
            end)
        end)
    end)
end)
`;

const logEvents = `-- One function for both engines, asking db:db_type() where the SQL differs.
local function insert_events(db)
    local cast = db:db_type() == "postgres" and "?::jsonb" or "?"
    local stmt, err = db:prepare("INSERT INTO events (kind, payload) VALUES (?, " .. cast .. ")")
    if err then error(err) end
    for _, event in ipairs({ { "info", '{"app": "started"}' }, { "warning", '{"disk": 91}' } }) do
        local _, ierr = stmt:execute(event)
        if ierr then error(ierr) end
    end
    stmt:close()

    local sql = db:db_type() == "postgres"
        and "SELECT payload->>'disk' AS disk FROM events WHERE kind = 'warning'"
        or "SELECT json_extract(payload, '$.disk') AS disk FROM events WHERE kind = 'warning'"
    local rows, qerr = db:query(sql)
    if qerr then error(qerr) end
    print(db:db_type() .. ": disk at " .. tostring(rows[1].disk) .. "%")
end

local function delete_events(db)
    local _, err = db:execute("DELETE FROM events WHERE kind IN ('info', 'warning')")
    if err then error(err) end
end

return require("migration").define(function()
    migration("Log the first events", function()
        database("sqlite", function()
            up(insert_events)
            down(delete_events)
        end)
        database("postgres", function()
            up(insert_events)
            down(delete_events)
        end)
    end)
end)
`;

// ---------------------------------------------------------------------------------------------------------------
// Error handling

const createSettings = `-- Error handling (the guide's "Transaction Safety" and "Error Handling"): every call answers a value
-- and an error; "if err then error(err) end" stops the migration and rolls all of it back.
return require("migration").define(function()
    migration("Create settings table", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                if err then error(err) end
                _, err = db:execute("INSERT INTO settings (key, value) VALUES (?, ?)", { "theme", "light" })
                if err then error(err) end
            end)
            down(function(db)
                -- return the call's two values: a non-nil error fails the migration just like error(err)
                return db:execute("DROP TABLE settings")
            end)
        end)
        database("postgres", function()
            up(function(db)
                local _, err = db:execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                if err then error(err) end
                _, err = db:execute("INSERT INTO settings (key, value) VALUES (?, ?)", { "theme", "light" })
                if err then error(err) end
            end)
            down(function(db)
                return db:execute("DROP TABLE settings")
            end)
        end)
    end)
end)
`;

const settingDefaults = `-- Savepoint recovery: a failed statement dooms the transaction until the code rolls back to a savepoint
-- taken before it. Here an INSERT that hits an existing key (err:kind() == "constraint") is expected: roll back
-- to the savepoint and keep the existing value; any other error still fails the migration.
local DEFAULTS = { { "language", "en" }, { "page_size", "20" }, { "theme", "dark" } }
local ADDED = { "language", "page_size" }   -- "theme" exists already (0001): it keeps its value

local function add_defaults(db)
    for _, setting in ipairs(DEFAULTS) do
        local ok, err = db:savepoint("setting")
        if not ok then error(err) end
        local _, ierr = db:execute("INSERT INTO settings (key, value) VALUES (?, ?)", setting)
        if ierr then
            if ierr:kind() ~= "constraint" then error(ierr) end
            print(setting[1] .. " is set already: " .. tostring(ierr))
            ok, err = db:rollback_to("setting")   -- recovered: the transaction can go on
            if not ok then error(err) end
        end
        ok, err = db:release("setting")
        if not ok then error(err) end
    end
end

local function remove_defaults(db)
    local stmt, err = db:prepare("DELETE FROM settings WHERE key = ?")
    if err then return nil, err end
    for _, key in ipairs(ADDED) do
        local _, derr = stmt:execute({ key })
        if derr then return nil, derr end
    end
    stmt:close()
end

return require("migration").define(function()
    migration("Add default settings", function()
        database("sqlite", function()
            up(add_defaults)
            down(remove_defaults)
        end)
        database("postgres", function()
            up(add_defaults)
            down(remove_defaults)
        end)
    end)
end)
`;

// ---------------------------------------------------------------------------------------------------------------

export const EXAMPLE_SETS: ExampleSet[] = [
  {
    id: 'starter',
    title: 'Users, email and roles',
    summary:
      'The set the playground starts with: a table, a column with a unique index, and seed data inserted with a prepared statement.',
    patterns: ['create table', 'add column', 'index', 'prepared statement'],
    files: EXAMPLE_FILES,
  },
  {
    id: 'create-table',
    title: 'Create tables',
    summary:
      'Two tables, the second with a foreign key to the first; CREATE TABLE IF NOT EXISTS keeps them idempotent.',
    patterns: ['create table', 'foreign key', 'idempotent'],
    files: [
      { name: '0001_create_products.lua', text: createProducts },
      { name: '0002_create_orders.lua', text: createOrders },
    ],
  },
  {
    id: 'add-column',
    title: 'Add a column',
    summary: 'ALTER TABLE … ADD COLUMN and its exact undo, DROP COLUMN, shared by both engines.',
    patterns: ['add column'],
    files: [
      { name: '0001_create_products.lua', text: createProducts },
      { name: '0002_add_description_to_products.lua', text: addDescription },
    ],
  },
  {
    id: 'index',
    title: 'Create indexes',
    summary: 'A plain, a unique and a partial index, dropped in the reverse order by down.',
    patterns: ['index'],
    files: [
      { name: '0001_create_products.lua', text: createProducts },
      { name: '0002_index_products.lua', text: indexProducts },
    ],
  },
  {
    id: 'seed',
    title: 'Seed data',
    summary: 'Rows inserted by up and deleted by down; after checks the result with db:query in the same transaction.',
    patterns: ['seed data', 'after', 'db:query'],
    files: [
      { name: '0001_create_roles.lua', text: createRoles },
      { name: '0002_seed_roles.lua', text: seedRoles },
    ],
  },
  {
    id: 'prepared',
    title: 'Prepared statements',
    summary: 'db:prepare once, stmt:execute per row with ? parameters (nil is NULL), then read the rows back.',
    patterns: ['prepared statement', 'parameters', 'db:query'],
    files: [
      { name: '0001_create_people.lua', text: createPeople },
      { name: '0002_insert_people.lua', text: insertPeople },
    ],
  },
  {
    id: 'rebuild',
    title: 'Rebuild a table (SQLite)',
    summary:
      'Adding a NOT NULL column to a table with data: SQLite rebuilds the table (new table, copy, drop, rename, indexes); PostgreSQL alters it in place.',
    patterns: ['sqlite table rebuild', 'engine-specific'],
    files: [
      { name: '0001_create_members.lua', text: createMembers },
      { name: '0002_add_email_to_members.lua', text: rebuildMembers },
    ],
  },
  {
    id: 'engines',
    title: 'Engine-specific blocks',
    summary:
      'Each engine with its own types (an enum, JSONB and an identity column on PostgreSQL), then one function for both that asks db:db_type().',
    patterns: ['engine-specific', 'db:db_type'],
    files: [
      { name: '0001_create_events.lua', text: createEvents },
      { name: '0002_log_events.lua', text: logEvents },
    ],
  },
  {
    id: 'errors',
    title: 'Error handling and savepoints',
    summary:
      '"if err then error(err) end", return nil, err, and recovering from an expected failure with db:savepoint and db:rollback_to.',
    patterns: ['if err then error(err) end', 'savepoint recovery', 'err:kind()'],
    files: [
      { name: '0001_create_settings.lua', text: createSettings },
      { name: '0002_default_settings.lua', text: settingDefaults },
    ],
  },
];

/** Whether `files` hold exactly the files of one of the sets (name and text, in any order). */
export function isExampleSet(files: SourceFile[]): boolean {
  const key = (list: SourceFile[]) =>
    JSON.stringify([...list].sort((a, b) => (a.name < b.name ? -1 : 1)).map((f) => [f.name, f.text]));
  const mine = key(files);
  return EXAMPLE_SETS.some((set) => key(set.files) === mine);
}
