/**
 * The preset dictionary of `#v3.` share links: text the codec's model reads before the link's own text, so that it
 * already knows how migrations in this playground usually look (the DSL's skeleton in the playground's idiom, common
 * DDL and DML of SQLite, PostgreSQL and MySQL, the error-handling lines, prepared statements, the SQLite table
 * rebuild) and the v3 framing (`engine selection` line, then each file as `name`, newline, text, NUL). It is written
 * as general migrations on made-up tables, not as any document's examples.
 *
 * FROZEN: every `#v3.` link ever made is only readable with exactly these bytes (test/unit/share-codec.test.ts pins
 * their hash). A better dictionary is a new format (`#v4.`), with this one kept to read v3 links.
 *
 * The model adapts as it reads, so the most typical text comes last.
 */

const SQL = `-- Schema notes: tables, columns, indexes and constraints
CREATE TABLE IF NOT EXISTS accounts (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL UNIQUE, name TEXT, active INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE IF NOT EXISTS accounts (id SERIAL PRIMARY KEY, email VARCHAR(255) NOT NULL UNIQUE, name TEXT, active BOOLEAN NOT NULL DEFAULT TRUE, created_at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS accounts (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(255) NOT NULL UNIQUE, name VARCHAR(255), active TINYINT(1) NOT NULL DEFAULT 1, created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP) ENGINE=InnoDB;
CREATE TABLE orders (id BIGSERIAL PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE, total NUMERIC(10, 2) NOT NULL CHECK (total >= 0), status VARCHAR(20) NOT NULL DEFAULT 'new', data JSONB, updated_at TIMESTAMP);
CREATE TABLE order_items (order_id INTEGER NOT NULL, item_id INTEGER NOT NULL, quantity INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (order_id, item_id), FOREIGN KEY (order_id) REFERENCES orders(id));
CREATE UNIQUE INDEX IF NOT EXISTS idx_accounts_email ON accounts(email);
CREATE INDEX idx_orders_account_id ON orders(account_id);
CREATE INDEX idx_orders_status_created_at ON orders(status, created_at);
DROP INDEX IF EXISTS idx_orders_status_created_at;
DROP INDEX idx_orders_account_id ON orders;
ALTER TABLE accounts ADD COLUMN last_login INTEGER;
ALTER TABLE accounts DROP COLUMN last_login;
ALTER TABLE accounts RENAME COLUMN name TO display_name;
ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'open';
ALTER TABLE orders ALTER COLUMN status DROP NOT NULL;
ALTER TABLE orders RENAME TO purchases;
UPDATE accounts SET active = 0 WHERE last_login IS NULL;
DELETE FROM accounts WHERE email LIKE '%@example.org';
SELECT id, email, name FROM accounts WHERE active = 1 ORDER BY id LIMIT 10;
SELECT COUNT(*) AS n FROM orders GROUP BY account_id;
INSERT INTO accounts (email, name) VALUES ('ann@example.org', 'Ann'), ('ben@example.org', 'Ben');
INSERT INTO orders (account_id, total) VALUES (?, ?) RETURNING id;
DROP TABLE IF EXISTS order_items;
DROP TABLE IF EXISTS orders;
DROP TABLE IF EXISTS accounts;
BLOB REAL TEXT INTEGER NUMERIC BOOLEAN DATE UUID VARCHAR(100) BIGINT SMALLINT DOUBLE PRECISION COLLATE NOCASE
strftime('%s', 'now') datetime('now') CURRENT_TIMESTAMP now() extract(epoch from now())::integer UNIX_TIMESTAMP()
`;

const FILES = `postgres 2
0001_create_accounts.lua
-- create_accounts
-- One migration per file: its id is the file name. up (and after) run in one transaction together with the
-- migration's row in _migrations; any error rolls all of it back. Write down so that it undoes up exactly:
-- verify checks that it does.
return require("migration").define(function()
    migration("create accounts", function()
        database("sqlite", function()
            up(function(db)
                -- Parameters (?) instead of string concatenation: db:execute(sql, {value1, value2})
                local _, err = db:execute([[
                    CREATE TABLE IF NOT EXISTS accounts (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL
                    )
                ]])
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE IF EXISTS accounts")
                if err then error(err) end
            end)
        end)

        database("postgres", function()
            up(function(db)
                local _, err = db:execute([[
                    CREATE TABLE IF NOT EXISTS accounts (
                        id SERIAL PRIMARY KEY,
                        name TEXT NOT NULL
                    )
                ]])
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE IF EXISTS accounts")
                if err then error(err) end
            end)
        end)

        database("mysql", function()
            up(function(db)
                local _, err = db:execute([[
                    CREATE TABLE IF NOT EXISTS accounts (
                        id INT AUTO_INCREMENT PRIMARY KEY,
                        name VARCHAR(255) NOT NULL
                    )
                ]])
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE IF EXISTS accounts")
                if err then error(err) end
            end)
        end)
    end)
end)
\u00000002_add_status_to_orders.lua
-- Add a status column and an index on it.
local function add_status(db)
    local _, err = db:execute("ALTER TABLE orders ADD COLUMN status TEXT NOT NULL DEFAULT 'open'")
    if err then error(err) end
    _, err = db:execute("CREATE INDEX IF NOT EXISTS idx_orders_status ON orders(status)")
    if err then error(err) end
end

local function drop_status(db)
    local _, err = db:execute("DROP INDEX IF EXISTS idx_orders_status")
    if err then error(err) end
    _, err = db:execute("ALTER TABLE orders DROP COLUMN status")
    if err then error(err) end
end

return require("migration").define(function()
    migration("Add status to orders", function()
        database("sqlite", function()
            up(add_status)
            down(drop_status)
        end)
        database("postgres", function()
            up(add_status)
            down(drop_status)
        end)
    end)
end)
\u00000003_seed_categories.lua
-- Seed the categories with a prepared statement, one row per name.
local names = { "books", "music", "games" }

return require("migration").define(function()
    migration("Seed categories", function()
        database("sqlite", function()
            up(function(db)
                local stmt, err = db:prepare("INSERT INTO categories (name, position) VALUES (?, ?)")
                if not stmt then
                    return nil, err
                end
                for i, name in ipairs(names) do
                    local result, err = stmt:execute({name, i})
                    if err then
                        error(err)
                    end
                end
                stmt:close()
            end)

            down(function(db)
                db:execute("DELETE FROM categories WHERE name IN (?, ?, ?)", names)
            end)

            after(function(db)
                local rows, err = db:query("SELECT COUNT(*) AS n FROM categories")
                if err then error(err) end
                print("categories: " .. rows[1].n)
            end)
        end)
    end)
end)
\u00000004_rebuild_orders.lua
-- SQLite cannot change a column in place: build the new table, copy the rows, drop the old one, rename.
return require("migration").define(function()
    migration("Make orders.note NOT NULL", function()
        database("sqlite", function()
            up(function(db)
                local result, err = db:execute([[
                    CREATE TABLE orders_new (
                        id INTEGER PRIMARY KEY,
                        account_id INTEGER NOT NULL,
                        note TEXT NOT NULL DEFAULT '',
                        created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
                    )
                ]])
                if err then error(err) end

                result, err = db:execute([[
                    INSERT INTO orders_new (id, account_id, note, created_at)
                    SELECT id, account_id, COALESCE(note, ''), created_at FROM orders
                ]])
                if err then error(err) end

                result, err = db:execute("DROP TABLE orders")
                if err then error(err) end

                result, err = db:execute("ALTER TABLE orders_new RENAME TO orders")
                if err then error(err) end

                return true
            end)

            down(function(db)
                -- The old column allowed NULL; the rows keep their notes.
                db:execute("ALTER TABLE orders RENAME TO orders_old")
            end)
        end)

        database("postgres", function()
            up(function(db)
                -- PostgreSQL changes the column in place
                local result, err = db:execute("ALTER TABLE orders ALTER COLUMN note SET NOT NULL")
                if err then
                    error(err)
                end
                return true
            end)
            down(function(db)
                return db:execute("ALTER TABLE orders ALTER COLUMN note DROP NOT NULL")
            end)
        end)
    end)
end)
\u00000005_create_tags.lua
local function define_migration()
    migration("Create tags table", function()
        database("sqlite", function()
            -- tags: one row per label
            up(function(db)
                return db:execute([[
                    CREATE TABLE IF NOT EXISTS tags (
                        id INTEGER PRIMARY KEY,
                        label TEXT NOT NULL UNIQUE,
                        created_at INTEGER NOT NULL
                    )
                ]])
            end)

            -- the table goes, with its rows
            down(function(db)
                db:execute("DROP TABLE IF EXISTS tags")
            end)
        end)

        database("postgres", function()
            up(function(db)
                db:execute("CREATE TABLE IF NOT EXISTS tags (id SERIAL PRIMARY KEY, label TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL)")
            end)
            down(function(db)
                db:execute("DROP TABLE IF EXISTS tags")
            end)
        end)
    end)
end

return require("migration").define(define_migration)
\u00000006_insert_accounts.lua
return require("migration").define(function()
    migration("Insert the first accounts", function()
        database("sqlite", function()
            up(function(db)
                -- Insert several rows with the same statement
                local accounts = {
                    {"ann", "ann@example.org"},
                    {"ben", "ben@example.org"},
                }
                for _, account in ipairs(accounts) do
                    local result, err = db:execute("INSERT INTO accounts (name, email) VALUES (?, ?)", account)
                    if err then
                        error(err)
                    end
                end
            end)

            down(function(db)
                db:execute("DELETE FROM accounts WHERE email IN ('ann@example.org', 'ben@example.org')")
            end)
        end)
    end)
end)
\u00000007_index_accounts_name.lua
return require("migration").define(function()
    migration("Index accounts by name", function()
        database("sqlite", function()
            up(function(db)
                db:execute("CREATE INDEX idx_accounts_name ON accounts(name)")
            end)

            down(function(db)
                db:execute("DROP INDEX IF EXISTS idx_accounts_name")
            end)
        end)
    end)
end)
\u0000`;

/** The dictionary's bytes (UTF-8); built once. */
export const shareDictionaryV3: () => Uint8Array = (() => {
  let bytes: Uint8Array | null = null;
  return () => (bytes ??= new TextEncoder().encode(SQL + FILES));
})();
