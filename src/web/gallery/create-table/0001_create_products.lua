-- Creating a table (the guide's "Creating Tables"): IF NOT EXISTS makes it idempotent.
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
