-- The SQLite table rebuild (the guide's "Complex Schema Changes"): SQLite cannot add a NOT NULL column
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
