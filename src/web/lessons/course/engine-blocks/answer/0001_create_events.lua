return require("migration").define(function()
    migration("Create events table", function()
        database("sqlite", function()
            up(function(db)
                local _, err = db:execute([[
                    CREATE TABLE events (
                        id INTEGER PRIMARY KEY,
                        kind TEXT NOT NULL,
                        happened_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
                    )
                ]])
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE events")
                if err then error(err) end
            end)
        end)
        database("postgres", function()
            up(function(db)
                local _, err = db:execute([[
                    CREATE TABLE events (
                        id SERIAL PRIMARY KEY,
                        kind TEXT NOT NULL,
                        happened_at TIMESTAMPTZ NOT NULL DEFAULT now()
                    )
                ]])
                if err then error(err) end
            end)
            down(function(db)
                local _, err = db:execute("DROP TABLE events")
                if err then error(err) end
            end)
        end)
    end)
end)
