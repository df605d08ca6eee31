-- A table with data and an index, for the next migration to rebuild.
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
